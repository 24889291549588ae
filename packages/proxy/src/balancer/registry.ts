// The proxy's balancers, kept beside (not inside) the immutable RuntimeConfig: one per upstream, one per
// service hostname (DNS), rebuilt only for what a config change touched, with health kept per address.
// With workers the primary's registry runs the active checks and holds the node's health; workers apply
// its flips (setHealth) and hand it their passive ones (`flipped`), as Kong's workers share one shm.
import { defaultHealthchecks, splitTarget, type Entity, type HealthOverride, type HealthReport, type Logger, type TargetHealth } from '@postern/shared'
import { HealthState } from './health.ts'
import { UpstreamBalancer, type BalancerDeps } from './balancer.ts'
import { ActiveChecker } from './active-checks.ts'
import { DnsCache } from './dns.ts'

/** The rows a registry follows: a RuntimeConfig, or the primary's ConfigState. */
export interface ConfigTables {
  table(name: string): Map<string, Entity>
}

/** One address changing health, as passed between a proxy's primary and its workers. */
export interface HealthFlip {
  upstream_id: string
  /** `ip:port` */
  address: string
  healthy: boolean
}

export interface RegistryOptions {
  dnsServers: string[]
  log: Logger
  /** Called (debounced) with this proxy's view of every upstream when health or addresses changed. */
  report?: (r: HealthReport['upstreams']) => void
  /** Run active health checks here (false in workers: the primary runs them once for the node). */
  activeChecks?: boolean
  /** Called when an address flips here (passive traffic, active probes, admin-set), not when setHealth applied it. */
  flipped?: (f: HealthFlip) => void
}

const REPORT_DEBOUNCE_MS = 100

export class BalancerRegistry {
  readonly dns: DnsCache
  private byUpstream = new Map<string, UpstreamBalancer>()
  private checkers = new Map<string, ActiveChecker>()
  private byHost = new Map<string, UpstreamBalancer>()
  private health = new Map<string, HealthState>()
  private rows = new Map<string, { upstream: Entity; targets: Entity[]; cert: Entity | undefined }>()
  /** True while applying health another process decided: such a flip is not handed on again. */
  private remote = false
  private reportTimer: NodeJS.Timeout | null = null
  private deps: BalancerDeps

  constructor(private o: RegistryOptions) {
    this.dns = new DnsCache({ servers: o.dnsServers, log: o.log })
    this.deps = {
      dns: this.dns,
      healthOf: (u, key) => this.healthOf(u, key),
      changed: () => this.scheduleReport(),
    }
  }

  private healthOf(upstreamId: string, key: string): HealthState {
    const k = `${upstreamId}|${key}`
    let h = this.health.get(k)
    if (!h) {
      const state = (h = new HealthState())
      h.onFlip = () => {
        this.scheduleReport()
        if (!this.remote) this.o.flipped?.({ upstream_id: upstreamId, address: key, healthy: state.healthy })
      }
      this.health.set(k, h)
    }
    return h
  }

  /** Follow a new configuration: only upstreams whose row or targets changed get a new balancer. */
  sync(rt: ConfigTables): void {
    const byUpstream = new Map<string, Entity[]>()
    for (const t of rt.table('targets').values()) {
      const id = t.upstream?.id
      if (!id) continue
      let list = byUpstream.get(id)
      if (!list) byUpstream.set(id, (list = []))
      list.push(t)
    }
    let touched = false
    for (const u of rt.table('upstreams').values()) {
      const targets = (byUpstream.get(u.id) ?? []).sort((a, b) => a.created_at - b.created_at || (a.id < b.id ? -1 : 1))
      // the upstream's client_certificate is presented by its https probes (Kong's create_healthchecker)
      const cert = u.client_certificate ? rt.table('certificates').get(u.client_certificate.id) : undefined
      const prev = this.rows.get(u.id)
      if (prev && prev.upstream === u && prev.cert === cert && sameRows(prev.targets, targets)) continue
      touched = true
      const old = this.byUpstream.get(u.id)
      const bal = new UpstreamBalancer(u, targets, this.deps, old)
      this.byUpstream.set(u.id, bal)
      this.rows.set(u.id, { upstream: u, targets, cert })
      this.checkers.get(u.id)?.stop()
      if (this.o.activeChecks !== false) this.checkers.set(u.id, new ActiveChecker(bal, cert && { cert: cert.cert, key: cert.key }))
      this.forgetHealth(u.id, bal)
    }
    for (const id of [...this.byUpstream.keys()]) {
      if (rt.table('upstreams').has(id)) continue
      touched = true
      this.byUpstream.get(id)!.close()
      this.checkers.get(id)?.stop()
      this.byUpstream.delete(id)
      this.checkers.delete(id)
      this.rows.delete(id)
      this.forgetHealth(id)
    }
    if (touched) this.scheduleReport()
    if (this.byHost.size > 0) this.dropUnusedHosts(rt)
  }

  /** Stop resolving service hosts no service names any more. */
  private dropUnusedHosts(rt: ConfigTables): void {
    const used = new Set<string>()
    for (const svc of rt.table('services').values()) used.add(`${svc.host}:${svc.port}`)
    for (const [key, b] of this.byHost) {
      if (used.has(key)) continue
      b.close()
      this.byHost.delete(key)
    }
  }

  /** Drop the health of addresses the upstream no longer has (a target added back later starts healthy, as in Kong). */
  private forgetHealth(upstreamId: string, bal?: UpstreamBalancer): void {
    const keep = new Set(bal?.peers.map((a) => `${upstreamId}|${a.ip}:${a.port}`))
    for (const k of [...this.health.keys()]) if (k.startsWith(`${upstreamId}|`) && !keep.has(k)) this.health.delete(k)
  }

  get(upstreamId: string): UpstreamBalancer | undefined {
    return this.byUpstream.get(upstreamId)
  }

  /** A service host that is no upstream: one target resolved by DNS, round-robin over its A records. */
  forHost(host: string, port: number): UpstreamBalancer {
    const key = `${host}:${port}`
    let b = this.byHost.get(key)
    if (!b) {
      const upstream = { id: `host:${key}`, name: host, algorithm: 'round-robin', healthchecks: defaultHealthchecks(), slots: 10000, host_header: null }
      const target = { id: key, target: `${host.includes(':') ? `[${host}]` : host}:${port}`, weight: 100, created_at: 0 }
      b = new UpstreamBalancer(upstream as Entity, [target as Entity], this.deps)
      this.byHost.set(key, b)
    }
    return b
  }

  /** Admin-set health (Kong's post_health): every address of the target, or the one named. `remote`: the
   * primary relays it to this worker too, so the flips it causes are not handed back. */
  override(o: HealthOverride, remote = false): void {
    const bal = this.byUpstream.get(o.upstream_id)
    const ts = bal?.targets.get(o.target)
    if (!ts) return
    const { host, port } = o.address ? splitTarget(o.address) : { host: null, port: null }
    this.remote = remote
    try {
      for (const a of ts.addresses) if (host === null || (a.ip === host && a.port === port)) a.health.set(o.healthy)
    } finally {
      this.remote = false
    }
    this.scheduleReport()
  }

  /** Health decided by another process of this proxy (the primary, or a worker's passive check); true if it
   * changed here. Kept by address, so it also holds for an address whose name is still being resolved. */
  setHealth(f: HealthFlip): boolean {
    const h = this.healthOf(f.upstream_id, f.address)
    const before = h.healthy
    this.remote = true
    try {
      h.set(f.healthy)
    } finally {
      this.remote = false
    }
    return h.healthy !== before
  }

  /** Every address currently unhealthy here: what a new worker must learn (it starts with all healthy). */
  unhealthy(): HealthFlip[] {
    const out: HealthFlip[] = []
    for (const [k, h] of this.health) {
      if (h.healthy) continue
      const cut = k.indexOf('|')
      out.push({ upstream_id: k.slice(0, cut), address: k.slice(cut + 1), healthy: false })
    }
    return out
  }

  /** This proxy's view of every upstream, in the shape GET /upstreams/{u}/health shows. */
  snapshot(): HealthReport['upstreams'] {
    const out: HealthReport['upstreams'] = {}
    for (const [id, bal] of this.byUpstream) {
      const targets: Record<string, TargetHealth> = {}
      for (const ts of bal.targets.values()) {
        targets[ts.target] = {
          dns: ts.dns,
          addresses: ts.addresses.map((a) => ({ ip: a.ip, port: a.port, health: a.health.healthy ? 'HEALTHY' : 'UNHEALTHY', weight: ts.weight })),
        }
      }
      out[id] = targets
    }
    return out
  }

  scheduleReport(): void {
    if (!this.o.report || this.reportTimer) return
    this.reportTimer = setTimeout(() => {
      this.reportTimer = null
      this.o.report!(this.snapshot())
    }, REPORT_DEBOUNCE_MS)
    this.reportTimer.unref()
  }

  close(): void {
    if (this.reportTimer) clearTimeout(this.reportTimer)
    for (const c of this.checkers.values()) c.stop()
    for (const b of this.byUpstream.values()) b.close()
    for (const b of this.byHost.values()) b.close()
    this.dns.close()
  }
}

function sameRows(a: Entity[], b: Entity[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i])
}
