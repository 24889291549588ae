// A proxy worker's side of the IPC feed: stands in for the ClusterSubscriber (same surface), applying the
// primary's snapshots and events to this worker's ConfigState so it builds its own RuntimeConfig.
import cluster from 'node:cluster'
import type { Server } from 'node:http'
import type { Broadcast, ChangeEvent, HealthOverride, Logger } from '@postern/shared'
import type { ConfigState } from '../runtime/state.ts'
import type { HealthFlip } from '../balancer/registry.ts'
import type { ToPrimary, ToWorker } from './messages.ts'

export const isWorker = cluster.isWorker

export interface WorkerFeedOptions {
  state: ConfigState
  log: Logger
  onChange(events?: ChangeEvent[]): void
  routes(): number
  onBroadcast?(b: Broadcast): void
  onHealth?(o: HealthOverride): void
  /** The node's health changed an address (decided by the primary or another worker). */
  onFlip?(f: HealthFlip): void
  /** This worker's Prometheus text, for the primary's /metrics. */
  metrics?(): string
}

export class WorkerFeed {
  connected = false
  /** Requests this worker accepted, for /status (shows that every worker serves). */
  requests = 0

  constructor(private o: WorkerFeedOptions) {}

  /** Resolves true at the primary's first snapshot, which it sends when this worker says hello (messages
   * sent before this process listens for them would be lost, so the worker asks). */
  start(): Promise<boolean> {
    // the primary holds the listeners and the config: without it this worker has nothing to do
    process.on('disconnect', () => process.exit(0))
    return new Promise((resolve) => {
      process.on('message', (m: ToWorker) => {
        this.connected = m.connected
        if (m.t === 'snapshot') {
          this.o.state.load(m.snapshot)
          this.o.onChange()
          resolve(true)
        } else if (m.t === 'broadcast') this.o.onBroadcast?.(m.broadcast)
        else if (m.t === 'health') this.o.onHealth?.(m.health)
        else if (m.t === 'flip') this.o.onFlip?.(m.flip)
        else if (m.t === 'metrics') send({ t: 'metrics', id: m.id, text: this.o.metrics?.() ?? '' })
        else if (m.t === 'events') {
          const s = this.o.state
          const before = s.version
          // the primary forwards only what its own state applied in order, so a gap cannot happen here
          if (s.apply(m.events) && s.version !== before) this.o.onChange(m.events.filter((e) => e.version > before))
        }
      })
      send({ t: 'hello' })
    })
  }

  /** Counts requests on a proxy listener; the count reaches the primary within a second. */
  watch(server: Server): void {
    server.on('request', () => this.requests++)
    if (this.ticker) return
    let sent = 0
    this.ticker = setInterval(() => {
      if (this.requests !== sent && this.last) this.report(this.last.version, this.last.hash)
      sent = this.requests
    }, 500)
    this.ticker.unref()
  }

  private ticker?: NodeJS.Timeout
  private last?: { version: number; hash: string }

  listening(proxyPorts: number[], tlsPorts: number[]): void {
    send({ t: 'listening', proxyPorts, tlsPorts })
    // the runtime was built from the first snapshot before listening; an unchanged config never reports itself
    this.report(this.o.state.version, this.o.state.hash)
  }

  report(version: number, hash: string): void {
    this.last = { version, hash }
    send({ t: 'applied', version, hash, routes: this.o.routes(), requests: this.requests })
  }

  /** An address flipped in this worker's traffic: tell the primary, which tells every worker. */
  flipped(flip: HealthFlip): void {
    send({ t: 'flip', flip })
  }

  stop(): void {}
}

function send(m: ToPrimary): void {
  if (process.connected) process.send!(m)
}
