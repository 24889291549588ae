// Health of one address (lua-resty-healthcheck's counters): passive reports from real traffic and active probes
// move it between healthy and unhealthy by the upstream's thresholds. Kept outside RuntimeConfig, so a config
// swap leaves the health of unchanged targets alone.
import type { Healthchecks } from '@postern/shared'

export type Failure = 'http' | 'tcp' | 'timeout'

export class HealthState {
  healthy = true
  successes = 0
  httpFailures = 0
  tcpFailures = 0
  timeouts = 0
  /** Called after every flip, so the registry can report the change to the admin. */
  onFlip: (() => void) | null = null

  set(healthy: boolean): void {
    this.successes = this.httpFailures = this.tcpFailures = this.timeouts = 0
    if (this.healthy === healthy) return
    this.healthy = healthy
    this.onFlip?.()
  }

  success(threshold: number): void {
    this.httpFailures = this.tcpFailures = this.timeouts = 0
    if (this.healthy || threshold === 0) return
    if (++this.successes >= threshold) this.set(true)
  }

  failure(kind: Failure, threshold: number): void {
    this.successes = 0
    if (!this.healthy || threshold === 0) return
    const n = kind === 'http' ? ++this.httpFailures : kind === 'tcp' ? ++this.tcpFailures : ++this.timeouts
    if (n >= threshold) this.set(false)
  }
}

type Side = Healthchecks['active'] | Healthchecks['passive']

/** Apply one HTTP status seen by `side` (active probes or passive traffic) with that side's thresholds. */
export function reportStatus(h: HealthState, side: Side, status: number): void {
  if (side.unhealthy.http_statuses.includes(status)) h.failure('http', side.unhealthy.http_failures)
  else if (side.healthy.http_statuses.includes(status)) h.success(side.healthy.successes)
}

export function reportFailure(h: HealthState, side: Side, kind: Failure): void {
  h.failure(kind, kind === 'http' ? side.unhealthy.http_failures : kind === 'tcp' ? side.unhealthy.tcp_failures : side.unhealthy.timeouts)
}
