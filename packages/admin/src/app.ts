// The admin Hono app: Kong's server behaviour (errors, 404/405/415, CORS, latency header), special
// endpoints, then the endpoints generated from the entity registry.
import { Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { hostname } from 'node:os'
import { HttpError, PosternError } from '@postern/shared'
import { buildEntityEndpoints, registerTable } from './endpoints/generic.ts'
import { registerSchemaEndpoints } from './endpoints/schemas.ts'
import { registerMetricsEndpoint } from './endpoints/metrics.ts'
import { overrideCertificates } from './endpoints/certificates.ts'
import { addUpstreamEndpoints } from './endpoints/upstreams.ts'
import { MAX_ARGS } from './body/decode.ts'
import { linger } from '@postern/shared/http/linger.ts'
import type { IncomingMessage } from 'node:http'
import { adminAuth, preflight } from './auth/middleware.ts'
import { auditTrail } from './audit/trail.ts'
import { registerAuditEndpoints } from './audit/endpoint.ts'
import type { AdminDeps } from './endpoints/context.ts'
import type { Logger } from '@postern/shared/logger.ts'

/** Paths registered for specific methods only (not `app.all`), with the methods they take. */
function specialEndpoints(app: Hono): { pattern: RegExp; allow: string }[] {
  const byPath = new Map<string, Set<string>>()
  for (const r of app.routes) {
    if (r.path.includes('*')) continue // middleware
    const set = byPath.get(r.path) ?? new Set<string>()
    set.add(r.method)
    byPath.set(r.path, set)
  }
  const out: { pattern: RegExp; allow: string }[] = []
  for (const [path, methods] of byPath) {
    if (methods.has('ALL')) continue // the generated endpoints answer 405 themselves
    if (methods.has('GET')) methods.add('HEAD')
    methods.add('OPTIONS')
    const pattern = new RegExp('^' + path.split('/').map((seg) => (seg.startsWith(':') ? '[^/]+' : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('/') + '$')
    out.push({ pattern, allow: [...methods].sort().join(', ') })
  }
  return out
}

export const POSTERN_VERSION = '0.1.0'
export const KONG_VERSION = '3.9.3'

export function createAdminApp(deps: AdminDeps, log: Logger, extra?: (app: Hono) => void): Hono {
  const app = new Hono({ strict: false })

  app.use('*', async (c, next) => {
    const started = performance.now()
    await next()
    // Kong's admin answers JSON as `application/json; charset=utf-8`
    if (c.res.headers.get('content-type') === 'application/json') c.header('Content-Type', 'application/json; charset=utf-8')
    c.header('X-Kong-Admin-Latency', String(Math.round(performance.now() - started)))
    c.header('Server', `postern/${POSTERN_VERSION}`)
    c.header('Access-Control-Allow-Origin', c.req.header('origin') ?? '*')
    c.header('Access-Control-Allow-Credentials', 'true')
  })

  // CORS preflights first (they carry no credentials), then the token and role check on every request
  app.use('*', preflight)
  // the audit trail wraps authentication, so refused writes are recorded too
  app.use('*', auditTrail(deps, deps.bus, log))
  app.use('*', adminAuth(deps))

  // nginx_admin_client_max_body_size: counted on the stream too, so chunked bodies cannot slip past it.
  // The rest of the body is not wanted, so the connection closes: say so (never advertise keep-alive), and
  // close it the way nginx does (lingering), so the client reads the 413 rather than a reset.
  app.use('*', bodyLimit({
    maxSize: deps.settings.adminMaxBody,
    onError: (c) => {
      const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming
      if (incoming) linger(incoming)
      throw new HttpError(413, 'Payload too large', { Connection: 'close' })
    },
  }))

  // query strings share the 1000-argument limit of form bodies (Kong's max_uri_args)
  app.use('*', async (c, next) => {
    const q = c.req.url.indexOf('?')
    if (q >= 0 && [...new URLSearchParams(c.req.url.slice(q + 1)).keys()].length > MAX_ARGS) throw new HttpError(400, 'Too many arguments')
    await next()
  })

  app.onError((err, c) => {
    if (err instanceof PosternError) return c.json(err.toJSON(), err.status as any)
    if (err instanceof HttpError) {
      for (const [k, v] of Object.entries(err.headers)) c.header(k, v)
      return c.json(err.toJSON(), err.status as any)
    }
    log.error('admin request failed', { method: c.req.method, path: c.req.path, error: String((err as Error)?.stack ?? err) })
    return c.json({ message: 'An unexpected error occurred' }, 500)
  })
  // a path served for other methods (the special endpoints: /status, /config, /schemas/...) answers 405 with
  // Allow, as the generated endpoints do; the method table is built once, on the first miss
  let special: { pattern: RegExp; allow: string }[] | undefined
  app.notFound((c) => {
    special ??= specialEndpoints(app)
    const hit = special.find((s) => s.pattern.test(c.req.path.replace(/(.)\/$/, '$1')))
    if (!hit) return c.json({ message: 'Not found' }, 404)
    c.header('Allow', hit.allow)
    if (c.req.method === 'OPTIONS') {
      c.header('Access-Control-Allow-Methods', hit.allow)
      return c.body(null, 204)
    }
    return c.json({ message: 'Method not allowed' }, 405)
  })

  app.get('/', async (c) =>
    c.json({
      tagline: 'Welcome to kong',
      version: KONG_VERSION,
      edition: 'community',
      postern_version: POSTERN_VERSION,
      hostname: hostname(),
      node_id: deps.nodeId,
      plugins: {
        available_on_server: Object.fromEntries([...deps.catalogue.plugins.values()].map((p) => [p.name, { version: p.version, priority: p.priority }])),
        enabled_in_cluster: [...new Set((await deps.store.findAll(deps.catalogue.entity('plugins')!)).map((p) => p.name))],
      },
      configuration: {
        database: deps.settings.database,
        prefix: deps.settings.prefix,
        plugins: deps.settings.plugins,
        admin_listen: deps.settings.adminListen.map((l) => `${l.host}:${l.port}${l.ssl ? ' ssl' : ''}`),
        proxy_listen: deps.settings.proxyListen.map((l) => `${l.host}:${l.port}${l.ssl ? ' ssl' : ''}`),
        cluster_listen: deps.settings.clusterListen.map((l) => `${l.host}:${l.port}`),
        log_level: deps.settings.logLevel,
      },
      pids: { master: process.pid, workers: [process.pid] },
    }),
  )

  app.get('/status', async (c) => {
    // as Kong: a database that does not answer is reported, not a 500 (the version is then what this admin last streamed)
    const head = await deps.store.events.head().catch(() => null)
    const reachable = head !== null
    const { version, hash } = head ?? deps.store.feed.published
    const mem = process.memoryUsage()
    return c.json({
      database: { reachable },
      configuration_version: version,
      configuration_hash: hash,
      memory: { workers_lua_vms: [{ pid: process.pid, http_allocated_gc: `${(mem.heapUsed / 1048576).toFixed(2)} MiB` }] },
      server: { connections_accepted: 0, total_requests: 0 },
      data_planes: deps.nodes(),
    })
  })

  app.get('/plugins/enabled', (c) => c.json({ enabled_plugins: [...deps.catalogue.plugins.keys()] }))

  registerSchemaEndpoints(app, deps)
  registerMetricsEndpoint(app, deps, KONG_VERSION)
  registerAuditEndpoints(app, deps)
  extra?.(app)
  const table = buildEntityEndpoints(deps)
  overrideCertificates(table, deps)
  addUpstreamEndpoints(deps, table)
  app.get('/endpoints', (c) => c.json({ data: ['/', '/status', '/metrics', '/plugins/enabled', ...[...table.keys()].map((p) => p.replace(/:(\w+)/g, '{$1}'))].sort() }))
  registerTable(app, table)
  return app
}
