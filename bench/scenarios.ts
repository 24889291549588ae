// The table of benchmark rows: what each one targets, how it is set up through the admin API, which row it is compared to.
import type { BenchAdmin } from './admin.ts'

/** Where a row's traffic goes. Postern rows name one of the two gateways (small: 10 filler routes, large: BENCH_ROUTES). */
export type Target = 'direct' | 'reference' | 'nginx' | 'postern-small' | 'postern-large' | 'postern-workers' | 'postern-h2'

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
  /** Fixed request for rows that need no setup (direct, reference, nginx). */
  request?: Request
  /** Creates the row's entities through the admin API and returns the request to load. Runs once, before warm-up. */
  setup?: (ctx: SetupContext) => Promise<Request>
  /** `h2`: HTTP/2 over TLS with bench/h2-load.ts instead of wrk/autocannon. */
  protocol?: 'h2'
}

export const defineScenario = (s: Scenario): Scenario => s

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
async function serviceWithRoute(ctx: SetupContext, prefix: string) {
  const service = await ctx.admin.create('/services', { name: `bench-${ctx.unique}`, url: ctx.upstreamUrl })
  await ctx.admin.create(`/services/${service.id}/routes`, { name: `bench-${ctx.unique}`, paths: [`/${prefix}`], strip_path: true })
  return service as { id: string }
}

const HELLO: Request = { path: '/hello' }

export const SCENARIOS: Scenario[] = [
  defineScenario({ name: 'direct to upstream', target: 'direct', request: HELLO }),
  defineScenario({ name: 'bare undici proxy', target: 'reference', baseline: 'direct to upstream', request: HELLO }),
  defineScenario({ name: 'nginx proxy_pass', target: 'nginx', baseline: 'direct to upstream', request: HELLO }),
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
    async setup(ctx) {
      const service = await serviceWithRoute(ctx, 'keyauth')
      await ctx.admin.create(`/services/${service.id}/plugins`, { name: 'key-auth' })
      const consumer = await ctx.admin.create('/consumers', { username: `bench-${ctx.unique}` })
      await ctx.admin.create(`/consumers/${consumer.id}/key-auth`, { key: `bench-key-${ctx.unique}` })
      return { path: '/keyauth/hello', headers: { apikey: `bench-key-${ctx.unique}` } }
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
