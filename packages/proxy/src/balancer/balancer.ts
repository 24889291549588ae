// One upstream's balancer: its targets resolved to addresses, the algorithm over them, and per-request
// attempts (the forwarder's peer picker) that feed passive health, connection counts and latency back.
import { isIP } from 'node:net'
import { splitTarget, type Entity, type Healthchecks } from '@postern/shared'
import type { UpstreamTarget } from '../upstream/pools.ts'
import type { UpstreamErrorKind } from '../upstream/errors.ts'
import type { PeerPicker } from '../upstream/forward.ts'
import { HashRing, LeastConnections, Latency, RoundRobin, observeLatency, type Algorithm, type Peer } from './algorithms.ts'
import { reportFailure, reportStatus, type HealthState } from './health.ts'
import type { DnsCache } from './dns.ts'

export class Address implements Peer {
  readonly key: string
  active = 0
  ewma = 0
  current = 0
  private byTemplate = new WeakMap<UpstreamTarget, UpstreamTarget>()

  constructor(readonly target: TargetState, readonly ip: string, readonly port: number, readonly health: HealthState) {
    this.key = `${ip.includes(':') ? `[${ip}]` : ip}:${port}`
  }

  get weight(): number {
    return this.target.weight
  }

  available(): boolean {
    return this.health.healthy
  }

  /** The service's connection settings aimed at this address; one object per (service, address) so pools are found by identity. */
  targetFor(tpl: UpstreamTarget): UpstreamTarget {
    let t = this.byTemplate.get(tpl)
    if (!t) {
      // SNI is the name the target was given (none for an IP address: RFC 6066 forbids it)
      t = { ...tpl, host: this.ip, port: this.port, servername: isIP(this.target.host) ? undefined : this.target.host }
      this.byTemplate.set(tpl, t)
    }
    return t
  }
}

/** A target and the addresses its name resolves to; reused across config swaps while its `target` is unchanged. */
export class TargetState {
  addresses: Address[] = []
  dns = 'OK'
  /** DNS (or the hosts file, or an IP literal) has answered at least once. */
  answered = false
  weight: number
  readonly host: string
  readonly port: number
  owner: UpstreamBalancer | null = null
  unwatch: () => void = () => {}

  constructor(readonly target: string, weight: number) {
    const { host, port } = splitTarget(target)
    this.host = host
    this.port = port
    this.weight = weight
  }
}

export interface BalancerDeps {
  dns: DnsCache
  healthOf(upstreamId: string, addressKey: string): HealthState
  changed(): void
}

const ERROR_DNS = 'DNS server error'

export class UpstreamBalancer {
  readonly targets = new Map<string, TargetState>()
  peers: Address[] = []
  algorithm: Algorithm
  readonly hashes: boolean
  readonly checks: Healthchecks
  private passive: boolean
  /** Resolves once every target has an answer from DNS (only hostname targets ever wait). */
  ready: Promise<void> | null = null
  private readyResolve: (() => void) | null = null

  constructor(readonly upstream: Entity, rows: Entity[], private deps: BalancerDeps, previous?: UpstreamBalancer) {
    this.checks = upstream.healthchecks
    const u = this.checks.passive.unhealthy
    this.passive = u.http_failures > 0 || u.tcp_failures > 0 || u.timeouts > 0 || this.checks.passive.healthy.successes > 0
    this.hashes = upstream.algorithm === 'consistent-hashing'
    this.algorithm = this.makeAlgorithm()
    for (const row of rows) {
      let ts = previous?.targets.get(row.target)
      if (ts) ts.weight = row.weight
      else ts = new TargetState(row.target, row.weight)
      ts.owner = this
      this.targets.set(row.target, ts)
    }
    for (const [key, ts] of previous?.targets ?? []) if (!this.targets.has(key)) ts.unwatch()
    // a request waits for the first DNS answer of every target (reused ones may still be waiting too)
    if ([...this.targets.values()].some((t) => !t.answered || !previous?.targets.has(t.target))) this.ready = new Promise((r) => (this.readyResolve = r))
    for (const ts of this.targets.values()) if (!previous?.targets.has(ts.target)) this.watch(ts)
    this.rebuild()
  }

  private makeAlgorithm(): Algorithm {
    switch (this.upstream.algorithm) {
      case 'least-connections': return new LeastConnections()
      case 'latency': return new Latency()
      case 'consistent-hashing': return new HashRing(this.peers, this.upstream.slots ?? 10000)
      default: return new RoundRobin()
    }
  }

  private watch(ts: TargetState): void {
    ts.unwatch = this.deps.dns.watch(ts.host, (ips, error) => {
      const bal = ts.owner!
      ts.answered = true
      const old = new Map(ts.addresses.map((a) => [a.ip, a]))
      ts.dns = error ? ERROR_DNS : 'OK'
      ts.addresses = ips.map((ip) => old.get(ip) ?? new Address(ts, ip, ts.port, bal.deps.healthOf(bal.upstream.id, `${ip}:${ts.port}`)))
      bal.rebuild()
      bal.deps.changed()
    })
  }

  /** Recompute the peer list (and ring) after targets or their addresses changed. */
  rebuild(): void {
    this.peers = [...this.targets.values()].flatMap((t) => t.addresses)
    if (this.hashes) this.algorithm = new HashRing(this.peers, this.upstream.slots ?? 10000)
    if (this.readyResolve && [...this.targets.values()].every((t) => t.answered)) {
      this.readyResolve()
      this.readyResolve = null
      this.ready = null
    }
  }

  /** Whether a request must wait for the first DNS answer. */
  get pending(): boolean {
    return this.ready !== null
  }

  pick(hash: string | undefined, avoid: Address | null): Address | null {
    return this.algorithm.pick(this.peers, hash, avoid) as Address | null
  }

  /** Start a request: the first peer, or null when none is usable (Kong's 503 from the ring-balancer). */
  attempt(tpl: UpstreamTarget, hash: string | undefined): Attempt | null {
    if (this.checks.threshold > 0 && !this.aboveThreshold()) return null
    const p = this.pick(hash, null)
    return p === null ? null : new Attempt(this, tpl, hash, p)
  }

  /** Kong's healthchecks.threshold: the balancer is down while less than that percentage of its weight is healthy. */
  private aboveThreshold(): boolean {
    let total = 0
    let healthy = 0
    for (const p of this.peers) {
      total += p.weight
      if (p.health.healthy) healthy += p.weight
    }
    return total > 0 && (healthy * 100) / total >= this.checks.threshold
  }

  /** Feed one response into passive health and latency. */
  observed(a: Address, status: number, latencyMs: number): void {
    observeLatency(a, latencyMs)
    if (this.passive) reportStatus(a.health, this.checks.passive, status)
  }

  failed(a: Address, kind: UpstreamErrorKind): void {
    if (!this.passive) return
    if (kind === 'connect_timeout' || kind === 'read_timeout' || kind === 'write_timeout') reportFailure(a.health, this.checks.passive, 'timeout')
    else if (kind !== 'aborted') reportFailure(a.health, this.checks.passive, 'tcp')
  }

  close(): void {
    for (const ts of this.targets.values()) if (ts.owner === this) ts.unwatch()
  }
}

/** One request's use of a balancer: Kong's retry rule sends each retry to a different peer when there is one. */
export class Attempt implements PeerPicker {
  current: Address
  target: UpstreamTarget
  private released = false

  constructor(private bal: UpstreamBalancer, private tpl: UpstreamTarget, private hash: string | undefined, first: Address) {
    this.current = first
    first.active++
    this.target = first.targetFor(tpl)
  }

  retry(): UpstreamTarget | null {
    const next = this.bal.pick(this.hash, this.current)
    this.current.active--
    if (next === null) {
      this.released = true
      return null
    }
    this.current = next
    next.active++
    return (this.target = next.targetFor(this.tpl))
  }

  result(status: number, latencyMs: number): void {
    this.bal.observed(this.current, status, latencyMs)
  }

  failed(kind: UpstreamErrorKind): void {
    this.bal.failed(this.current, kind)
  }

  done(): void {
    if (this.released) return
    this.released = true
    this.current.active--
  }
}
