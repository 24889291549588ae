// kong-auth-integration access phase: asks the auth service who the token belongs to (GET with the
// bearer token) and forwards its answer upstream as X-User-Payload. Unlike vechr's original, a client can
// never supply X-User-Payload itself, and the answer is size-limited, deadline-bound and header-safe.
import type { PluginContext, PluginHandler } from '../../pdk/index.ts'
import { cachedLookup, cacheTtl, errorText, toHeaderValue, tokenCacheKey, type LoadResult } from '../_introspection/index.ts'
import type { AuthIntegration, Payload, Refusal } from './compile.ts'
import { readToken } from './token.ts'

export const PAYLOAD_HEADER = 'x-user-payload'
/** Set to `base64` when the payload had to be base64-encoded (see the README's kong-auth-integration section). */
export const ENCODING_HEADER = 'x-user-payload-encoding'
export const UNAUTHORIZED = 'Unauthorized, You are not allowed access the resource!'
export const INTERNAL_ERROR = 'Internal Server Error'
const LOG_STATUS = 'Authentication endpoint responded with a non-200 status'
const LOG_FAILED = 'Authentication endpoint could not be reached'
const LOG_TOO_LARGE = 'Authentication endpoint answer is larger than max_payload_size'

async function load(ctx: PluginContext<AuthIntegration>, token: string): Promise<LoadResult<Payload, Refusal>> {
  const c = ctx.config
  let res
  try {
    res = await ctx.http.request(c.endpoint, {
      method: 'GET',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      timeoutMs: c.timeoutMs,
      verifyTls: c.verifyTls,
      ca: c.ca,
      // a body that cannot fit the header limit is refused while it streams in, not after buffering it
      maxBytes: c.maxPayload * 6 + 1024,
    })
  } catch (e) {
    ctx.log.error(LOG_FAILED, { plugin: 'kong-auth-integration', error: errorText(e) })
    return { ok: false, failure: { status: 500, body: INTERNAL_ERROR, reason: 'kong-auth-integration.unreachable' } }
  }
  if (res.status === 401) return { ok: false, failure: { status: 401, body: UNAUTHORIZED, reason: 'kong-auth-integration.unauthorized' } }
  if (res.status !== 200) {
    // vechr's behaviour: the auth service's status reaches the client, its body and headers do not.
    ctx.log.warn(LOG_STATUS, { plugin: 'kong-auth-integration', status: res.status })
    return { ok: false, failure: { status: res.status, body: '', reason: 'kong-auth-integration.status' } }
  }
  const payload = toHeaderValue(res.body.toString('utf8'))
  if (Buffer.byteLength(payload.value) > c.maxPayload) {
    ctx.log.error(LOG_TOO_LARGE, { plugin: 'kong-auth-integration', bytes: Buffer.byteLength(payload.value), limit: c.maxPayload })
    return { ok: false, failure: { status: 500, body: INTERNAL_ERROR, reason: 'kong-auth-integration.payload_too_large' } }
  }
  return { ok: true, value: payload, ttlSeconds: cacheTtl({ configured: c.cacheTtl, cacheControl: res.headers['cache-control'] }) }
}

export const handler: PluginHandler<AuthIntegration> = {
  async access(ctx) {
    // Only this plugin may speak for the auth service: a client-sent payload never reaches the upstream.
    ctx.upstream.clearHeader(PAYLOAD_HEADER)
    ctx.upstream.clearHeader(ENCODING_HEADER)
    const c = ctx.config
    if (!c.runOnPreflight && ctx.request.method === 'OPTIONS') return
    const token = readToken(ctx.request.getHeader('cookie'), ctx.request.getHeader(c.tokenHeader), c.cookieName)
    // An empty token (a header of seven characters or fewer) is refused here instead of being sent on.
    if (!token) return ctx.exit(401, UNAUTHORIZED, undefined, 'kong-auth-integration.missing')
    const run = () => load(ctx, token)
    const r =
      c.cacheTtl > 0
        ? await cachedLookup(ctx.cache, c.flights, tokenCacheKey('kong-auth-integration', ctx.pluginId, c.fingerprint, token), run)
        : await run()
    if (!r.ok) return ctx.exit(r.failure.status, r.failure.body || undefined, undefined, r.failure.reason)
    ctx.upstream.setHeader(PAYLOAD_HEADER, r.value.value)
    if (r.value.encoding === 'base64') ctx.upstream.setHeader(ENCODING_HEADER, 'base64')
  },
}
