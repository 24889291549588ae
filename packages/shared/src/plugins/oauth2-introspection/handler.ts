// oauth2-introspection access phase (Kong Enterprise's plugin, in our words): RFC 7662 JSON introspection,
// active answers cached per instance and token hash, consumer mapping by username or client_id, and
// Kong's AND/OR semantics with `anonymous`.
import type { Consumer, Exit, PluginContext, PluginHandler } from '../../pdk/index.ts'
import { setAnonymous } from '../../pdk/auth.ts'
import { cachedLookup, cacheTtl, introspect, sha256Hex, tokenCacheKey, type LoadResult } from '../_introspection/index.ts'
import type { Claims, Failure, OAuth2Introspection } from './compile.ts'
import { findToken } from './token.ts'
import { setCredentialHeaders } from './upstream-headers.ts'

const ACCEPT_JSON = 'application/json'
const MISSING = { error: 'invalid_request', error_description: 'The access token is missing' }
const INVALID = { error: 'invalid_token', error_description: 'The access token is invalid or has expired' }
// Kong separates the challenge's parameters with spaces, not RFC 6750's commas; clients match on it.
const MISSING_CHALLENGE = 'Bearer realm="service"'
const INVALID_CHALLENGE = `Bearer realm="service" error="${INVALID.error}" error_description="${INVALID.error_description}"`
const BAD_BODY = 'Bad request'
const IDP_FAILED = 'An unexpected error occurred'
const LOG_IDP_FAILED = 'introspection endpoint did not answer with 200 and a JSON object'

async function load(ctx: PluginContext<OAuth2Introspection>, token: string): Promise<LoadResult<Claims, Failure>> {
  const c = ctx.config
  const headers: Record<string, string> = { ...c.headers }
  if (c.introspectRequest) {
    headers['x-request-path'] = ctx.request.path
    headers['x-request-http-method'] = ctx.request.method
  }
  const ans = await introspect(ctx.http, { url: c.url, token, accept: ACCEPT_JSON, authorization: c.authorization, tokenTypeHint: c.tokenTypeHint, headers, timeoutMs: c.timeoutMs })
  let claims: unknown
  if (ans.kind === 'response' && ans.status === 200) {
    try {
      claims = JSON.parse(ans.body.toString('utf8'))
    } catch {
      claims = undefined
    }
  }
  if (!claims || typeof claims !== 'object' || Array.isArray(claims)) {
    ctx.log.error(LOG_IDP_FAILED, { plugin: 'oauth2-introspection', ...(ans.kind === 'response' ? { status: ans.status } : { error: ans.error }) })
    return { ok: false, failure: { kind: 'idp' } }
  }
  const answer = claims as Claims
  // Only active answers are cached: caching refusals is what cost Kong its memory (fixed in 3.12).
  if (answer.active !== true) return { ok: false, failure: { kind: 'inactive' } }
  const exp = typeof answer.exp === 'number' ? answer.exp : undefined
  return { ok: true, value: answer, ttlSeconds: cacheTtl({ configured: c.ttl, cacheControl: ans.kind === 'response' ? ans.headers['cache-control'] : undefined, exp }) }
}

function findConsumer(ctx: PluginContext<OAuth2Introspection>, claims: Claims): Consumer | null {
  const value = claims[ctx.config.consumerBy]
  if (typeof value !== 'string' || value === '') return null
  // Read from the live runtime config each time, so a consumer created after the first call is found.
  const field = ctx.config.consumerBy === 'client_id' ? 'custom_id' : 'username'
  return (ctx.entities.find('consumers', field, value) as Consumer | undefined) ?? null
}

async function authenticate(ctx: PluginContext<OAuth2Introspection>, token: string | null): Promise<Exit | void> {
  if (!token) return ctx.exit(401, MISSING, { 'www-authenticate': MISSING_CHALLENGE }, 'oauth2-introspection.missing')
  const c = ctx.config
  const key = tokenCacheKey('oauth2-introspection', ctx.pluginId, c.fingerprint, token)
  const r = await cachedLookup(ctx.cache, c.flights, key, () => load(ctx, token))
  if (!r.ok) {
    if (r.failure.kind === 'inactive') return ctx.exit(401, INVALID, { 'www-authenticate': INVALID_CHALLENGE }, 'oauth2-introspection.invalid')
    // Deviation from Kong (401 echoing the IdP's body): an IdP failure is the gateway's, and its text stays in the log.
    return ctx.error(500, IDP_FAILED, undefined, 'oauth2-introspection.idp_error')
  }
  const consumer = findConsumer(ctx, r.value)
  // The credential id is a hash of the token, never the token itself, so logging plugins cannot leak it.
  ctx.client.authenticate(consumer, { ...r.value, id: sha256Hex(token).slice(0, 32), consumer: consumer ? { id: consumer.id } : null })
  setCredentialHeaders(ctx, r.value, consumer)
}

export const handler: PluginHandler<OAuth2Introspection> = {
  async access(ctx) {
    const c = ctx.config
    if (!c.runOnPreflight && ctx.request.method === 'OPTIONS') return
    // Logical OR with another auth plugin: somebody already authenticated this request.
    if (c.anonymous && ctx.client.getCredential()) return
    const found = await findToken(ctx)
    if ('badBody' in found) return ctx.error(400, BAD_BODY, undefined, 'oauth2-introspection.bad_body')
    const failed = await authenticate(ctx, found.token)
    if (!failed) return
    return c.anonymous ? setAnonymous(ctx, c.anonymous) : failed
  },
}
