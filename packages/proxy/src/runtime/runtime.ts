// RuntimeConfig: the immutable, precomputed view the request path reads — router, services, consumers,
// unique-field indexes for credentials, and compiled plugin instances resolved per route (Kong's
// plugins_iterator precedence). Built off the request path and swapped atomically.
import type { Catalogue, Consumer, Entity, Logger, PluginDef } from '@postern/shared'
import { buildRouter, patchRouter, type RouteInput, type Router } from '../router/index.ts'
import type { UpstreamTarget } from '../upstream/pools.ts'
import type { ConfigState } from './state.ts'
import { CertificateIndex, upstreamTls } from './certificates.ts'
import { TableIndexes } from './indexes.ts'
import { TRACING_PLUGINS } from '../pipeline/tracing.ts'
import { isIP } from 'node:net'

export interface PluginInstance {
  id: string
  name: string
  def: PluginDef
  config: unknown
  route: string | null
  service: string | null
  consumer: string | null
}

/** A stored route object, as the router reads it: no copy, so an unchanged route keeps its identity (and compiled matchers) across rebuilds. */
export type RouteRow = RouteInput & Entity & { service: { id: string } | null }

export interface RoutePlan {
  service: Entity | null
  /** The Host sent upstream unless preserve_host: the service host, with its port unless the default. */
  upstreamHost: string
  chain: ChainEntry[]
  target: UpstreamTarget | null
  /** A tracing plugin may apply: record the request's timings. */
  traced: boolean
  /** The upstream named by the service host (balanced over its targets), or null. */
  upstream: Entity | null
  /** The service host is a name to resolve by DNS (neither an upstream nor an IP address). */
  resolve: boolean
  /** The route takes https but not http: plain-http requests get Kong's redirect or 426. */
  httpsOnly: boolean
  /** The route has grpc or grpcs among its protocols. */
  grpc: boolean
}

/** One plugin name as it may apply on a route: the instance without consumer, and whether consumer-scoped ones exist. */
export interface ChainEntry {
  name: string
  def: PluginDef
  base: PluginInstance | undefined
  consumerScoped: boolean
}

/**
 * Validated configs by plugin row: a row the change did not touch keeps its object across configurations, so
 * it is parsed once, not on every rebuild (10,000 per-consumer plugins: ≈ 90 ms of zod per change). Only for
 * plugins with `compile`, which still runs on every rebuild (fresh per-instance state, as before) and builds
 * its result from the config without changing it; a plugin without `compile` gets a config object of its own
 * per configuration, as before.
 */
const PARSED = new WeakMap<Entity, { schema: PluginDef['schema']; parsed: unknown }>()
function parsedOnce(def: PluginDef, row: Entity): unknown {
  const hit = PARSED.get(row)
  if (hit !== undefined && hit.schema === def.schema) return hit.parsed
  const parsed = def.schema.parse(row.config ?? {})
  PARSED.set(row, { schema: def.schema, parsed })
  return parsed
}

const key = (name: string, route: string | null, service: string | null, consumer: string | null) => `${name}|${route ?? ''}|${service ?? ''}|${consumer ?? ''}`

export class RuntimeConfig {
  readonly router: Router<RouteRow>
  /** The frozen services and consumers tables themselves (by id): nothing to copy per configuration. */
  readonly services: Map<string, Entity>
  readonly consumers: Map<string, Consumer>
  private instances = new Map<string, PluginInstance>()
  /** Plugin names in run order: descending priority, ties in reverse alphabetical order (Kong). */
  private ordered: PluginDef[] = []
  private consumerScoped = new Set<string>()
  private chains = new Map<string, ChainEntry[]>()
  private indexes = new TableIndexes((name) => this.table(name))
  readonly hasGlobalOrServicePlugins: boolean
  /** Server certificates by SNI for the TLS listeners. */
  readonly certificates: CertificateIndex

  readonly version: number
  readonly hash: string
  /** A private copy of the rows: the state keeps changing, this config never does. */
  private tables: Map<string, Map<string, Entity>>

  /** @param previous the configuration being replaced: its router is updated in place for small changes. */
  constructor(state: ConfigState, readonly catalogue: Catalogue, log: Logger, previous?: RuntimeConfig) {
    this.version = state.version
    this.hash = state.hash
    const { tables, changed } = state.freeze()
    this.tables = tables
    this.services = this.table('services')
    this.consumers = this.table('consumers') as Map<string, Consumer>
    if (previous) this.indexes.carryOver(previous.indexes)
    this.router = this.buildRoutes(changed, previous, log)
    this.certificates = new CertificateIndex(this.table('certificates'), this.table('snis').values())
    const used = new Set<string>()
    for (const p of this.table('plugins').values()) {
      if (!p.enabled) continue
      const def = catalogue.plugins.get(p.name)
      if (!def) {
        log.warn('plugin in configuration is not enabled on this node; ignored', { plugin: p.name, id: p.id })
        continue
      }
      let config: unknown
      try {
        const scope = { id: p.id, route: p.route?.id ?? null, service: p.service?.id ?? null, consumer: p.consumer?.id ?? null }
        config = def.compile ? def.compile(parsedOnce(def, p), scope) : def.schema.parse(p.config ?? {})
      } catch (e) {
        log.error('plugin configuration failed to compile; instance ignored', { plugin: p.name, id: p.id, error: String(e) })
        continue
      }
      const inst: PluginInstance = { id: p.id, name: p.name, def, config, route: p.route?.id ?? null, service: p.service?.id ?? null, consumer: p.consumer?.id ?? null }
      this.instances.set(key(p.name, inst.route, inst.service, inst.consumer), inst)
      if (inst.consumer) this.consumerScoped.add(p.name)
      used.add(p.name)
    }
    this.ordered = [...used]
      .map((n) => catalogue.plugins.get(n)!)
      .sort((a, b) => b.priority - a.priority || (a.name < b.name ? 1 : a.name > b.name ? -1 : 0))
    this.hasGlobalOrServicePlugins = used.size > 0
  }

  /** A route takes part in routing unless its service is disabled (which takes its routes out). */
  private routeRow(r: Entity): RouteRow | null {
    const svc = r.service ? this.services.get(r.service.id) : undefined
    if (svc && svc.enabled === false) return null
    return r as RouteRow
  }

  /**
   * The router: reused as is when no route changed, updated with just the changed routes when few did,
   * rebuilt otherwise (after a snapshot, or when a service was enabled or disabled).
   */
  private buildRoutes(changed: Map<string, Set<string>> | null, previous: RuntimeConfig | undefined, log: Logger): Router<RouteRow> {
    const onWarning = (msg: string) => log.warn(msg)
    const routeIds = changed?.get('routes')
    const flipped = [...(changed?.get('services') ?? [])].some((id) => (previous?.services.get(id)?.enabled !== false) !== (this.services.get(id)?.enabled !== false))
    if (previous && changed && !flipped) {
      if (!routeIds) return previous.router
      const before = previous.table('routes')
      const now = this.table('routes')
      const removed: RouteRow[] = []
      const added: RouteRow[] = []
      for (const id of routeIds) {
        const old = before.get(id)
        const cur = now.get(id)
        if (old === cur) continue
        const o = old && previous.routeRow(old)
        const n = cur && this.routeRow(cur)
        if (o) removed.push(o)
        if (n) added.push(n)
      }
      const r = patchRouter(previous.router, { added, removed }, { onWarning })
      if (r) return r
    }
    const routes: RouteRow[] = []
    for (const r of this.table('routes').values()) {
      const row = this.routeRow(r)
      if (row) routes.push(row)
    }
    return buildRouter(routes, { previous: previous?.router, onWarning })
  }

  table(name: string): Map<string, Entity> {
    return this.tables.get(name) ?? new Map()
  }

  /** The plugins that may run on a route (computed once per route and cached). */
  chainFor(routeId: string | null, serviceId: string | null): ChainEntry[] {
    const ck = `${routeId}|${serviceId}`
    let chain = this.chains.get(ck)
    if (chain) return chain
    chain = []
    for (const def of this.ordered) {
      const n = def.name
      const base =
        this.instances.get(key(n, routeId, serviceId, null)) ??
        this.instances.get(key(n, routeId, null, null)) ??
        this.instances.get(key(n, null, serviceId, null)) ??
        this.instances.get(key(n, null, null, null))
      const consumerScoped = this.consumerScoped.has(n)
      if (base || consumerScoped) chain.push({ name: n, def, base, consumerScoped })
    }
    this.chains.set(ck, chain)
    return chain
  }

  /** Kong's precedence with a consumer: route+service+consumer, route+consumer, service+consumer, then consumer. */
  resolveWithConsumer(e: ChainEntry, routeId: string | null, serviceId: string | null, consumerId: string | null): PluginInstance | undefined {
    if (!consumerId || !e.consumerScoped) return e.base
    const n = e.name
    const rs = this.instances.get(key(n, routeId, serviceId, consumerId))
    if (rs) return rs
    const rc = this.instances.get(key(n, routeId, null, consumerId))
    if (rc) return rc
    const sc = this.instances.get(key(n, null, serviceId, consumerId))
    if (sc) return sc
    const base = e.base
    // consumer-only beats route+service, route, service and global
    const c = this.instances.get(key(n, null, null, consumerId))
    if (c && (!base || (base.route && base.service ? false : true))) return c
    return base
  }

  private targets = new Map<string, UpstreamTarget>()
  private plans = new WeakMap<RouteRow, RoutePlan>()

  /** What the request path needs per route, computed on first use and kept for this configuration. */
  planFor(route: RouteRow): RoutePlan {
    let plan = this.plans.get(route)
    if (!plan) {
      const service = route.service ? (this.services.get(route.service.id) ?? null) : null
      let upstreamHost = ''
      const upstream = service ? (this.upstreamByName(service.host) ?? null) : null
      if (service) {
        const dflt = (service.protocol === 'https' && service.port === 443) || (service.protocol !== 'https' && service.port === 80)
        upstreamHost = dflt ? service.host : `${service.host}:${service.port}`
        // Kong: the upstream's host_header replaces the Host sent to its targets
        if (upstream?.host_header) upstreamHost = upstream.host_header
      }
      const chain = this.chainFor(route.id, service?.id ?? null)
      const resolve = service !== null && upstream === null && isIP(service.host.replace(/^\[(.*)\]$/, '$1')) === 0
      const protos: string[] = (route as Entity).protocols ?? []
      plan = {
        service, upstreamHost, chain, target: service ? this.targetFor(service) : null, traced: chain.some((c) => TRACING_PLUGINS.has(c.name)), upstream, resolve,
        httpsOnly: protos.includes('https') && !protos.includes('http'),
        grpc: protos.includes('grpc') || protos.includes('grpcs'),
      }
      this.plans.set(route, plan)
    }
    return plan
  }

  private upstreamsByName: Map<string, Entity> | null = null

  upstreamByName(name: string): Entity | undefined {
    if (this.upstreamsByName === null) {
      this.upstreamsByName = new Map()
      for (const u of this.table('upstreams').values()) this.upstreamsByName.set(u.name, u)
    }
    return this.upstreamsByName.get(name)
  }

  /** The upstream target of a service, one object per service so pools are found by identity. */
  targetFor(s: Entity): UpstreamTarget {
    let t = this.targets.get(s.id)
    if (!t) {
      t = {
        protocol: s.protocol === 'https' ? 'https' : 'http',
        host: s.host,
        port: s.port,
        connectTimeout: s.connect_timeout,
        writeTimeout: s.write_timeout,
        readTimeout: s.read_timeout,
        retries: s.retries,
        tlsVerify: s.tls_verify,
        tls: s.protocol === 'https' ? upstreamTls(s, this.table('certificates'), this.table('ca_certificates'), this.upstreamByName(s.host)) : undefined,
      }
      this.targets.set(s.id, t)
    }
    return t
  }

  loadConsumer(idOrUsername: string): Consumer | null {
    return this.consumers.get(idOrUsername) ?? (this.indexes.find('consumers', 'username', idOrUsername) as Consumer | undefined) ?? null
  }

  /** One row by a unique field (`keyauth_credentials.key`), indexed on first use (and kept while its table is unchanged). */
  find(entity: string, field: string, value: unknown): Entity | undefined {
    return this.indexes.find(entity, field, value)
  }

  /** Rows by a non-unique field (`acls.consumer`), indexed on first use; a foreign field is keyed by its id. */
  filter(entity: string, field: string, value: unknown): readonly Entity[] {
    return this.indexes.filter(entity, field, value)
  }

  all(entity: string): readonly Entity[] {
    return [...this.table(entity).values()]
  }
}
