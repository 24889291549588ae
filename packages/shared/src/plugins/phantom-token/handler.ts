// phantom-token access phase: opaque token in, JWT out. Introspects with Curity's `application/jwt`
// dialect, caches good answers per instance and token hash, checks scopes on every request (the fix of
// Curity 2.0.1) and replaces Authorization upstream.
import type { Exit, PluginContext, PluginHandler } from '../../pdk/index.ts'
import { cachedLookup, cacheTtl, headerOf, introspect, isHeaderSafe, tokenCacheKey, type LoadResult } from '../_introspection/index.ts'
import type { Failure, PhantomEntry, PhantomToken } from './compile.ts'
import { deny } from './responses.ts'
import { hasScopes, readClaims, readToken } from './token.ts'

const ACCEPT_JWT = 'application/jwt'
const INTROSPECTION_TIMEOUT_MS = 10_000
const LOG_INVALID = 'Received an introspection response due to the access token being invalid or expired'
const LOG_IDP_FAILED = 'Problem encountered calling the introspection endpoint'
const LOG_SCOPE = 'The required scope was not found in the received access token'

async function load(ctx: PluginContext<PhantomToken>, token: string): Promise<LoadResult<PhantomEntry, Failure>> {
  const c = ctx.config
  const ans = await introspect(ctx.http, { url: c.endpoint, token, accept: ACCEPT_JWT, authorization: c.authorization, timeoutMs: INTROSPECTION_TIMEOUT_MS, verifyTls: c.verifySsl })
  if (ans.kind === 'transport') {
    ctx.log.error(LOG_IDP_FAILED, { plugin: 'phantom-token', error: ans.error })
    return { ok: false, failure: { status: 500, reason: 'phantom-token.idp_unreachable' } }
  }
  if (ans.status === 200) {
    const jwt = ans.body.toString('utf8').trim()
    // An empty or multi-line body cannot become an Authorization header: the IdP misbehaved, not the client.
    if (jwt === '' || !isHeaderSafe(jwt)) {
      ctx.log.error(LOG_IDP_FAILED, { plugin: 'phantom-token', status: 200, error: 'introspection body is not a JWT' })
      return { ok: false, failure: { status: 500, reason: 'phantom-token.idp_bad_body' } }
    }
    const { scopes, exp } = readClaims(jwt)
    const ttlSeconds = cacheTtl({ configured: c.cacheSeconds, cacheControl: ans.headers['cache-control'], exp })
    return { ok: true, value: { jwt, scopes }, ttlSeconds }
  }
  // Our contract (spec §6): IdP server failures are the gateway's problem (500); everything else,
  // including 403 and bad introspection credentials, means this token does not get through (401).
  if (ans.status >= 500) {
    ctx.log.error(LOG_IDP_FAILED, { plugin: 'phantom-token', status: ans.status })
    return { ok: false, failure: { status: 500, reason: 'phantom-token.idp_error' } }
  }
  ctx.log.info(LOG_INVALID, { plugin: 'phantom-token', status: ans.status, content_type: headerOf(ans.headers, 'content-type') })
  return { ok: false, failure: { status: 401, reason: 'phantom-token.invalid' } }
}

/** Scope check and forwarding, shared by the cache-hit and the miss path. */
function forward(ctx: PluginContext<PhantomToken>, entry: PhantomEntry): Exit | void {
  const c = ctx.config
  // On every request, cache hit or not: a cached token must not skip the check (Curity PR #11/#12).
  if (!hasScopes(entry.scopes, c.requiredScopes)) {
    ctx.log.info(LOG_SCOPE, { plugin: 'phantom-token', required: c.requiredScopes.join(' ') })
    return deny(ctx, 403, 'phantom-token.scope')
  }
  ctx.upstream.setHeader('authorization', `${c.scheme} ${entry.jwt}`)
}

async function miss(ctx: PluginContext<PhantomToken>, token: string, key: string): Promise<Exit | void> {
  const r = await cachedLookup(ctx.cache, ctx.config.flights, key, () => load(ctx, token))
  if (!r.ok) return deny(ctx, r.failure.status, r.failure.reason)
  return forward(ctx, r.value)
}

export const handler: PluginHandler<PhantomToken> = {
  access(ctx) {
    // ctx.request builds a view object on each access; read it once on this hot path.
    const req = ctx.request
    // CORS preflights carry no token; they go upstream untouched (Curity v1 and v2).
    if (req.method === 'OPTIONS') return
    const c = ctx.config
    const token = readToken(req.getHeader('authorization'), c.prefix)
    if (!token) return deny(ctx, 401, 'phantom-token.missing')
    const key = tokenCacheKey('phantom-token', ctx.pluginId, c.fingerprint, token)
    // A cache hit stays synchronous: no promise, no microtask, on the path most requests take.
    const hit = ctx.cache.get<PhantomEntry>(key)
    return hit ? forward(ctx, hit) : miss(ctx, token, key)
  },
}
