// cors: answers preflights in access (before auth plugins, by priority) and adds CORS headers to every
// other response in header_filter, as Kong's cors handler does.
import type { PdkResponse, PluginContext, PluginHandler } from '../../pdk/index.ts'
import { compileOrigins, matchOrigin, type OriginPolicy } from './origins.ts'
import { METHODS, type CorsConfig } from './schema.ts'

const ACAO = 'access-control-allow-origin'
const ACAC = 'access-control-allow-credentials'
/** kong.ctx.plugin.skip_response_headers: the preflight was answered here or handed to the upstream. */
const SKIP = 'cors.skip_response_headers'

export interface CompiledCors {
  origins: OriginPolicy
  credentials: boolean
  /** Access-Control-Allow-Headers of a preflight; null echoes Access-Control-Request-Headers. */
  allowHeaders: string | null
  allowMethods: string
  exposeHeaders: string | null
  maxAge: string | null
  privateNetwork: boolean
  preflightContinue: boolean
}

export function compile(c: CorsConfig): CompiledCors {
  return {
    origins: compileOrigins(c.origins),
    credentials: c.credentials,
    allowHeaders: c.headers?.length ? c.headers.join(',') : null,
    allowMethods: (c.methods ?? METHODS).join(','),
    exposeHeaders: c.exposed_headers?.length ? c.exposed_headers.join(',') : null,
    maxAge: c.max_age === null ? null : String(c.max_age),
    privateNetwork: c.private_network,
    preflightContinue: c.preflight_continue,
  }
}

type Headers = Record<string, string | string[]>

/** Kong sets Vary on a preflight it answers, and adds one more Vary line to a proxied response. */
function vary(h: Headers, append: boolean): void {
  const cur = h.vary
  if (!append || cur === undefined) h.vary = 'Origin'
  else h.vary = Array.isArray(cur) ? [...cur, 'Origin'] : [cur, 'Origin']
}

/** Kong's configure_origin; returns true when the answer is `*` (allow all). */
function configureOrigin(c: CompiledCors, origin: string | undefined, h: Headers, append: boolean): boolean {
  const p = c.origins
  if (p.kind === 'any') {
    h[ACAO] = '*'
    return true
  }
  // always Vary, so caches key on Origin
  vary(h, append)
  if (p.kind === 'fixed') {
    h[ACAO] = p.origin
    return false
  }
  if (origin !== undefined) {
    if (p.star) {
      h[ACAO] = '*'
      return true
    }
    const allowed = matchOrigin(p, origin)
    if (allowed !== null) {
      h[ACAO] = allowed
      return false
    }
  }
  if (ACAO in h) delete h[ACAO]
  return false
}

/** Kong's configure_credentials: with `*`, echo the request's Origin instead, as browsers require. */
function configureCredentials(c: CompiledCors, allowAll: boolean, origin: string | undefined, h: Headers, append: boolean): void {
  if (!c.credentials) return
  if (!allowAll) {
    h[ACAC] = 'true'
    return
  }
  if (origin !== undefined) {
    vary(h, append)
    h[ACAO] = origin
    h[ACAC] = 'true'
  }
}

export const handler: PluginHandler<CompiledCors> = {
  access(ctx) {
    const r = ctx.request
    if (r.method !== 'OPTIONS') return
    const origin = r.getHeader('origin')
    if (origin === undefined || r.getHeader('access-control-request-method') === undefined) return
    ctx.shared[SKIP] = true
    const c = ctx.config
    if (c.preflightContinue) return
    const h: Headers = {}
    const allowAll = configureOrigin(c, origin, h, false)
    configureCredentials(c, allowAll, origin, h, false)
    const requested = r.getHeader('access-control-request-headers')
    if (c.allowHeaders !== null) h['access-control-allow-headers'] = c.allowHeaders
    else if (requested !== undefined) h['access-control-allow-headers'] = requested
    h['access-control-allow-methods'] = c.allowMethods
    if (c.maxAge !== null) h['access-control-max-age'] = c.maxAge
    if (c.privateNetwork && r.getHeader('access-control-request-private-network') === 'true') h['access-control-allow-private-network'] = 'true'
    return ctx.exit(200, undefined, h as Record<string, string>, 'cors.preflight')
  },

  headerFilter(ctx: PluginContext<CompiledCors>, res: PdkResponse) {
    if (ctx.shared[SKIP] === true) return
    const c = ctx.config
    const origin = ctx.request.getHeader('origin')
    const allowAll = configureOrigin(c, origin, res.headers, true)
    configureCredentials(c, allowAll, origin, res.headers, true)
    if (c.exposeHeaders !== null) res.headers['access-control-expose-headers'] = c.exposeHeaders
  },
}
