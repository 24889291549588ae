// The table of benchmark rows: what each one targets, how it is set up through the admin API, which row it is compared to.
import type { BenchAdmin } from './admin.ts'
import { ECHO_TARGET_HOSTS } from './procs.ts'

/**
 * Where a row's traffic goes. Postern rows name one of its gateways (small: 10 filler routes, large: BENCH_ROUTES
 * routes and BENCH_CONSUMERS consumers, workers: two workers unpinned, h2: an `http2 ssl` listener); the peers are
 * the Node gateways under bench/peers/.
 */
export type Target = 'direct' | 'reference' | 'nginx' | 'fastify-http-proxy' | 'fast-gateway' | 'postern-small' | 'postern-large' | 'postern-workers' | 'postern-h2'

export interface SetupContext {
  /** Admin of the gateway the row runs on. */
  admin: BenchAdmin
  /** The echo upstream, for `services.url`. */
  upstreamUrl: string
  /** How many filler routes that gateway holds (see fillerRoute). */
  routeCount: number
  /** A name unique to this row, for entity names that must not collide with other rows on the same gateway. */
  unique: string
}

/** What the load generator sends for a row: path (ending at the upstream's /hello fast path) and extra headers. */
export interface Request {
  path: string
  headers?: Record<string, string>
}

export interface Scenario {
  /** Row label, also the key other rows use as `baseline`. */
  name: string
  target: Target
  /** Row whose req/s and p99 this row's ratios are computed against. */
  baseline?: string
  /** An issue's target for this row: req/s at least this ratio of the baseline (checked and marked PASS/FAIL). */
  minRatio?: number
  /** Fixed request for rows that need no setup (direct, reference, nginx). */
  request?: Request
  /** Creates the row's entities through the admin API and returns the request to load. Runs once, before warm-up. */
  setup?: (ctx: SetupContext) => Promise<Request>
  /** `h2`: HTTP/2 over TLS with bench/h2-load.ts instead of wrk/autocannon. */
  protocol?: 'h2'
}

export const defineScenario = (s: Scenario): Scenario => s

/** A row's name made safe for entity names (SetupContext.unique). */
export const uniqueOf = (s: Scenario): string => s.name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()

/** Filler route i: a distinct host and a distinct path prefix, so the router cannot match on either alone. */
export function fillerRoute(i: number): { hosts: string[]; paths: string[] } {
  return { hosts: [`h${i}.bench.test`], paths: [`/r${i}`] }
}

/** The route the "routes: … table" rows hit: two thirds into the table, neither first nor last created. */
export function fillerTarget(routeCount: number): Request {
  const i = Math.floor((routeCount * 2) / 3)
  return { path: `/r${i}/hello`, headers: { Host: `h${i}.bench.test` } }
}

/** A service on the echo upstream with one strip_path route on `/<prefix>`, so `/<prefix>/hello` reaches `/hello`. */
export async function serviceWithRoute(ctx: SetupContext, prefix: string) {
  const service = await ctx.admin.create('/services', { name: `bench-${ctx.unique}`, url: ctx.upstreamUrl })
  await ctx.admin.create(`/services/${service.id}/routes`, { name: `bench-${ctx.unique}`, paths: [`/${prefix}`], strip_path: true })
  return service as { id: string }
}

const HELLO: Request = { path: '/hello' }

/** rate-limiting with a per-minute limit no run reaches: every request is counted and none is refused. */
function rateLimitingRow(policy: string, config: Record<string, unknown>, minRatio: number): Scenario {
  return defineScenario({
    name: `postern rate-limiting ${policy}`,
    target: 'postern-small',
    baseline: 'postern no plugins',
    minRatio,
    async setup(ctx) {
      const service = await serviceWithRoute(ctx, `rl-${policy}`)
      await ctx.admin.create(`/services/${service.id}/plugins`, { name: 'rate-limiting', config: { minute: 1e9, ...config } })
      return { path: `/rl-${policy}/hello` }
    },
  })
}

export const SCENARIOS: Scenario[] = [
  defineScenario({ name: 'direct to upstream', target: 'direct', request: HELLO }),
  defineScenario({ name: 'bare undici proxy', target: 'reference', baseline: 'direct to upstream', request: HELLO }),
  defineScenario({ name: 'nginx proxy_pass', target: 'nginx', baseline: 'direct to upstream', request: HELLO }),
  // Peers: the Node gateways users pick, with their defaults, one prefix route stripped as in "postern no plugins"
  // (report.ts checks postern no plugins ≥ 1.5× / 2× these, paired per round).
  defineScenario({ name: '@fastify/http-proxy', target: 'fastify-http-proxy', baseline: 'bare undici proxy', request: { path: '/plain/hello' } }),
  defineScenario({ name: 'fast-gateway', target: 'fast-gateway', baseline: 'bare undici proxy', request: { path: '/plain/hello' } }),
  defineScenario({
    name: 'postern no plugins',
    target: 'postern-small',
    baseline: 'bare undici proxy',
    async setup(ctx) {
      await serviceWithRoute(ctx, 'plain')
      return { path: '/plain/hello' }
    },
  }),
  defineScenario({
    name: 'postern key-auth',
    target: 'postern-small',
    baseline: 'postern no plugins',
    minRatio: 0.95, // issue 17
    async setup(ctx) {
      const service = await serviceWithRoute(ctx, 'keyauth')
      await ctx.admin.create(`/services/${service.id}/plugins`, { name: 'key-auth' })
      const consumer = await ctx.admin.create('/consumers', { username: `bench-${ctx.unique}` })
      await ctx.admin.create(`/consumers/${consumer.id}/key-auth`, { key: `bench-key-${ctx.unique}` })
      return { path: '/keyauth/hello', headers: { apikey: `bench-key-${ctx.unique}` } }
    },
  }),
  rateLimitingRow('local', { policy: 'local' }, 0.93),
  // Redis on this machine's default address, its own database; one script call per request, auto-pipelined
  rateLimitingRow('redis', { policy: 'redis', redis: { host: '127.0.0.1', port: 6379, database: 13 } }, 0.75),
  defineScenario({
    // a simple (non-preflight) CORS request: origin list matched by exact entry and by regex, headers added in header_filter
    name: 'postern cors',
    target: 'postern-small',
    baseline: 'postern no plugins',
    minRatio: 0.93,
    async setup(ctx) {
      const service = await serviceWithRoute(ctx, 'cors')
      await ctx.admin.create(`/services/${service.id}/plugins`, {
        name: 'cors',
        config: { origins: ['http://app.bench.test', 'https://(.*\\.)?bench\\.test'], exposed_headers: ['x-request-id'], credentials: true },
      })
      return { path: '/cors/hello', headers: { Origin: 'https://www.bench.test' } }
    },
  }),
  defineScenario({
    // the load generator connects from loopback: an allow list of blocks of both families that admits it
    name: 'postern ip-restriction',
    target: 'postern-small',
    baseline: 'postern no plugins',
    minRatio: 0.93,
    async setup(ctx) {
      const service = await serviceWithRoute(ctx, 'iprestriction')
      await ctx.admin.create(`/services/${service.id}/plugins`, {
        name: 'ip-restriction',
        config: { allow: ['10.0.0.0/8', '192.168.0.0/16', '127.0.0.0/8', '::1', 'fd00::/8'], deny: ['127.0.0.2'] },
      })
      return { path: '/iprestriction/hello' }
    },
  }),
  defineScenario({
    // every request after the warm-up's first is a Hit answered from memory: it should beat "no plugins"
    name: 'postern proxy-cache hit',
    target: 'postern-small',
    baseline: 'postern no plugins',
    minRatio: 1.0,
    async setup(ctx) {
      const service = await serviceWithRoute(ctx, 'cached')
      await ctx.admin.create(`/services/${service.id}/plugins`, { name: 'proxy-cache', config: { strategy: 'memory', cache_ttl: 3600 } })
      return { path: '/cached/hello' }
    },
  }),
  defineScenario({
    // one credential: scrypt runs on the first request only, then the verified-pair cache answers
    name: 'postern basic-auth (cached verify)',
    target: 'postern-small',
    baseline: 'postern no plugins',
    minRatio: 0.93,
    async setup(ctx) {
      const service = await serviceWithRoute(ctx, 'basicauth')
      await ctx.admin.create(`/services/${service.id}/plugins`, { name: 'basic-auth' })
      const consumer = await ctx.admin.create('/consumers', { username: `bench-${ctx.unique}` })
      await ctx.admin.create(`/consumers/${consumer.id}/basic-auth`, { username: `bench-${ctx.unique}`, password: 'bench-password' })
      const credentials = Buffer.from(`bench-${ctx.unique}:bench-password`).toString('base64')
      return { path: '/basicauth/hello', headers: { Authorization: `Basic ${credentials}` } }
    },
  }),
  defineScenario({
    // acl needs an identified consumer: key-auth in front, the consumer in the allowed group
    name: 'postern acl (after key-auth)',
    target: 'postern-small',
    baseline: 'postern no plugins',
    minRatio: 0.93,
    async setup(ctx) {
      const service = await serviceWithRoute(ctx, 'acl')
      await ctx.admin.create(`/services/${service.id}/plugins`, { name: 'key-auth' })
      await ctx.admin.create(`/services/${service.id}/plugins`, { name: 'acl', config: { allow: ['bench'] } })
      const consumer = await ctx.admin.create('/consumers', { username: `bench-${ctx.unique}` })
      await ctx.admin.create(`/consumers/${consumer.id}/key-auth`, { key: `bench-acl-${ctx.unique}` })
      await ctx.admin.create(`/consumers/${consumer.id}/acls`, { group: 'bench' })
      return { path: '/acl/hello', headers: { apikey: `bench-acl-${ctx.unique}` } }
    },
  }),
  defineScenario({
    // the same echo process behind four loopback addresses: what is measured is the balancer's cost
    name: 'postern upstream: 4 targets round-robin',
    target: 'postern-small',
    baseline: 'postern no plugins',
    async setup(ctx) {
      const name = `bench-${ctx.unique}.upstream`
      const port = new URL(ctx.upstreamUrl).port
      await ctx.admin.create('/upstreams', { name })
      for (const host of ECHO_TARGET_HOSTS) await ctx.admin.create(`/upstreams/${name}/targets`, { target: `${host}:${port}` })
      const service = await ctx.admin.create('/services', { name: `bench-${ctx.unique}`, host: name, port: Number(port) })
      await ctx.admin.create(`/services/${service.id}/routes`, { name: `bench-${ctx.unique}`, paths: ['/balanced'], strip_path: true })
      return { path: '/balanced/hello' }
    },
  }),
  defineScenario({
    name: 'postern routes: small table',
    target: 'postern-small',
    baseline: 'bare undici proxy',
    setup: async (ctx) => fillerTarget(ctx.routeCount),
  }),
  defineScenario({
    // KONG_NGINX_WORKER_PROCESSES=2, neither the proxy nor the load generator pinned: what the cores allow
    name: 'postern 2 workers (unpinned)',
    target: 'postern-workers',
    baseline: 'postern no plugins',
    async setup(ctx) {
      await serviceWithRoute(ctx, 'plain')
      return { path: '/plain/hello' }
    },
  }),
  defineScenario({
    name: 'postern HTTP/2 (TLS, h2 client)',
    target: 'postern-h2',
    baseline: 'postern no plugins',
    protocol: 'h2',
    async setup(ctx) {
      await serviceWithRoute(ctx, 'plain')
      return { path: '/plain/hello' }
    },
  }),
  defineScenario({
    name: 'postern routes: large table',
    target: 'postern-large',
    baseline: 'postern routes: small table',
    setup: async (ctx) => fillerTarget(ctx.routeCount),
  }),
]

/** Targets a scenario list needs, so that run.ts starts only those processes. */
export function targetsOf(list: Scenario[]): Set<Target> {
  return new Set(list.map((s) => s.target))
}
