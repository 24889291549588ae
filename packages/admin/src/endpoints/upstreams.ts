// Kong's upstreams.lua routes beside the generated ones: targets found by id or `host:port` within their
// upstream, newest first, `/health` from the proxies' reports, and admin-set health sent to every proxy.
import type { Context } from 'hono'
import { HttpError, isUuid, usesHealthchecks, formatTarget, type Entity, type Healthchecks, type TargetHealth } from '@postern/shared'
import { VERSION_HEADER, assertWritable, notFound, readEntityBody, written, type AdminDeps } from './context.ts'
import type { EndpointTable } from './generic.ts'

const MAX_PAGE = 1000

export function addUpstreamEndpoints(deps: AdminDeps, table: EndpointTable): void {
  const { store, catalogue } = deps
  const upstreams = catalogue.entity('upstreams')!
  const targets = catalogue.entity('targets')!

  const loadUpstream = async (c: Context) => {
    const u = await store.lookup(upstreams, c.req.param('parent')!)
    if (!u) throw notFound()
    return u
  }
  /** Kong's target_endpoint: a UUID selects by id, anything else is the target within this upstream. */
  const loadTarget = async (c: Context, u: Entity) => {
    const key = decodeURIComponent(c.req.param('key')!)
    let t: Entity | undefined
    if (isUuid(key)) t = await store.findBy(targets, 'id', key.toLowerCase())
    else {
      const wanted = formatTarget(key) ?? key
      t = (await store.findAll(targets, { upstream: { id: u.id } })).find((x) => x.target === wanted)
    }
    if (!t || t.upstream?.id !== u.id) throw notFound()
    return t
  }
  /** Kong's page_for_upstream: newest first, offset is a plain index. */
  const page = async (c: Context, u: Entity, base: string) => {
    const size = Math.min(Number(c.req.query('size') ?? 100) || 100, MAX_PAGE)
    const offset = Number(c.req.query('offset') ?? 0) || 0
    const all = (await store.findAll(targets, { upstream: { id: u.id } })).sort((a, b) => b.created_at - a.created_at || (a.id < b.id ? 1 : -1))
    const data = all.slice(offset, offset + size)
    const more = all.length > offset + size
    return { data, offset: more ? String(offset + size) : undefined, next: more ? `${base}?offset=${offset + size}` : null }
  }

  table.set('/upstreams/:parent/targets', {
    ...table.get('/upstreams/:parent/targets'),
    get: async (c) => c.json(await page(c, await loadUpstream(c), `/upstreams/${c.req.param('parent')}/targets`)),
  })
  const update = async (c: Context) => {
    const t = await loadTarget(c, await loadUpstream(c))
    assertWritable(deps, targets, 'update')
    const body = await readEntityBody(c, deps, targets)
    const { result, version } = await store.write(() => store.update(targets, t, body))
    return written(c, version, result)
  }
  table.set('/upstreams/:parent/targets/:key', {
    get: async (c) => {
      const u = await loadUpstream(c)
      if (c.req.param('key') === 'all') return c.json(await page(c, u, `/upstreams/${c.req.param('parent')}/targets/all`))
      return c.json(await loadTarget(c, u))
    },
    patch: update,
    // Kong's PUT on a target updates it in place (update_target_cb)
    put: update,
    delete: async (c) => {
      const t = await loadTarget(c, await loadUpstream(c))
      assertWritable(deps, targets, 'remove')
      const { version } = await store.write(() => store.remove(targets, t))
      c.header(VERSION_HEADER, String(version))
      return c.body(null, 204)
    },
  })

  const setHealth = (healthy: boolean) => async (c: Context) => {
    const u = await loadUpstream(c)
    const t = await loadTarget(c, u)
    const address = c.req.param('address') ? decodeURIComponent(c.req.param('address')!) : null
    if (address !== null && formatTarget(address) === null) throw new HttpError(400, `invalid address: ${address}`)
    // Kong's post_health: only an upstream with health checks has a healthchecker to set
    if (!usesHealthchecks(u.healthchecks as Healthchecks)) throw new HttpError(400, `no healthchecker found for ${u.name}`)
    deps.cluster?.postHealth({ upstream_id: u.id, target: t.target, address: address && formatTarget(address), healthy })
    return c.body(null, 204)
  }
  for (const h of ['healthy', 'unhealthy'] as const) {
    table.set(`/upstreams/:parent/targets/:key/${h}`, { put: setHealth(h === 'healthy') })
    table.set(`/upstreams/:parent/targets/:key/:address/${h}`, { put: setHealth(h === 'healthy') })
  }

  table.set('/upstreams/:parent/health', {
    get: async (c) => {
      const u = await loadUpstream(c)
      const seen = deps.cluster?.health.upstream(u.id) ?? new Map<string, TargetHealth>()
      const using = usesHealthchecks(u.healthchecks as Healthchecks)
      if (c.req.query('balancer_health') === '1') return c.json({ data: balancerHealth(u, seen, using), next: null, node_id: deps.nodeId })
      const p = await page(c, u, `/upstreams/${c.req.param('parent')}/health`)
      const data = p.data.map((t) => withHealth(t, seen, using))
      return c.json({ data, ...(p.offset ? { offset: p.offset } : {}), next: p.next, node_id: deps.nodeId })
    },
  })
}

/** Kong's page_for_upstream_with_health: a target is HEALTHY if any address is; missing from the balancer = DNS_ERROR. */
function withHealth(t: Entity, seen: Map<string, TargetHealth>, using: boolean): Entity {
  // no proxy reported this upstream (Kong: no balancer yet): the target as stored, without health
  if (seen.size === 0) return t
  const th = seen.get(t.target)
  if (!th || th.addresses.length === 0) return { ...t, health: 'DNS_ERROR' }
  const addresses = th.addresses.map((a) => ({ ...a, health: using && t.weight > 0 ? a.health : 'HEALTHCHECKS_OFF' }))
  let health = 'HEALTHCHECKS_OFF'
  for (const a of addresses) {
    if (a.health === 'HEALTHY') {
      health = 'HEALTHY'
      break
    }
    if (a.health === 'UNHEALTHY') health = 'UNHEALTHY'
  }
  const total = addresses.reduce((n, a) => n + a.weight, 0)
  const available = addresses.filter((a) => a.health !== 'UNHEALTHY').reduce((n, a) => n + a.weight, 0)
  return { ...t, health, data: { dns: th.dns, addresses, nodeWeight: t.weight, weight: { total, available, unavailable: total - available } } }
}

/** `?balancer_health=1`: the balancer is healthy while the available weight is at least `threshold` percent. */
function balancerHealth(u: Entity, seen: Map<string, TargetHealth>, using: boolean) {
  let total = 0
  let available = 0
  for (const th of seen.values())
    for (const a of th.addresses) {
      total += a.weight
      if (a.health !== 'UNHEALTHY') available += a.weight
    }
  const threshold = (u.healthchecks as Healthchecks).threshold
  const healthy = total > 0 && (available / total) * 100 >= threshold && available > 0
  const balancer_health = healthy ? 'HEALTHY' : 'UNHEALTHY'
  return {
    health: using ? balancer_health : 'HEALTHCHECKS_OFF',
    balancer_health,
    id: u.id,
    details: { healthy, weight: { total, available, unavailable: total - available } },
  }
}
