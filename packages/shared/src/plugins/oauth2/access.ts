// Resource requests: the bearer token from the header, query or body; binding, expiry, upstream identity
// headers; Kong's anonymous (logical OR) and AND semantics.
import type { Exit } from '../../pdk/index.ts'
import { setAnonymous, setConsumer } from '../../pdk/auth.ts'
import { TOKEN_GLOBAL, TOKEN_INVALID, TOKEN_MISSING, bearerChallenge, oauthError } from './messages.ts'
import { readParameters } from './params.ts'
import { findToken, type Ctx } from './tokens.ts'

const SCOPE_HEADER = 'x-authenticated-scope'
const USERID_HEADER = 'x-authenticated-userid'

interface Failure {
  exit: Exit
  /** Kong sends this one even when `anonymous` is set (the global-token case). */
  final?: boolean
}

export async function bearerAccess(ctx: Ctx): Promise<Exit | void> {
  const anonymous = ctx.config.anonymous
  if (!anonymous) return (await authenticate(ctx))?.exit
  if (ctx.client.getCredential()) {
    // already authenticated by an earlier plugin: keep that identity, but never let a client inject these
    clearAuthenticated(ctx)
    return
  }
  const failed = await authenticate(ctx)
  if (!failed) return
  if (failed.final) return failed.exit
  clearAuthenticated(ctx)
  return setAnonymous(ctx, anonymous)
}

async function authenticate(ctx: Ctx): Promise<Failure | void> {
  const conf = ctx.config
  const accessToken = await readAccessToken(ctx)
  if (!accessToken) {
    return { exit: ctx.exit(401, oauthError('invalid_request', TOKEN_MISSING), { 'www-authenticate': bearerChallenge(conf.realm) }, 'oauth2.missing') }
  }
  const challenge = { 'www-authenticate': bearerChallenge(conf.realm, 'invalid_token', TOKEN_INVALID) }
  const invalid = (reason: string): Failure => ({ exit: ctx.exit(401, oauthError('invalid_token', TOKEN_INVALID), challenge, reason) })
  const token = await findToken(ctx, accessToken)
  if (!token) return invalid('oauth2.invalid_token')
  const serviceId = ctx.service?.id
  if (!token.service && !conf.global_credentials) {
    return { exit: ctx.exit(401, oauthError('invalid_token', TOKEN_GLOBAL), challenge, 'oauth2.global_token'), final: true }
  }
  if (token.service && token.service.id !== serviceId) return invalid('oauth2.other_service')
  // Whole seconds of created_at against the clock with sub-second precision: valid at exactly expires_in.
  if (token.expires_in > 0 && Date.now() / 1000 - token.created_at > token.expires_in) return invalid('oauth2.expired')
  const credential = ctx.entities.find('oauth2_credentials', 'id', token.credential?.id)
  if (!credential) return invalid('oauth2.credential_gone') // deleted; its tokens are being cascaded away
  setConsumer(ctx, ctx.client.loadConsumer(credential.consumer.id), credential)
  ctx.upstream.setHeader('x-credential-identifier', credential.client_id)
  if (token.scope) ctx.upstream.setHeader(SCOPE_HEADER, token.scope)
  else ctx.upstream.clearHeader(SCOPE_HEADER)
  if (token.authenticated_userid) ctx.upstream.setHeader(USERID_HEADER, token.authenticated_userid)
  else ctx.upstream.clearHeader(USERID_HEADER)
}

function clearAuthenticated(ctx: Ctx): void {
  ctx.upstream.clearHeader(SCOPE_HEADER)
  ctx.upstream.clearHeader(USERID_HEADER)
}

/**
 * Kong's parse_access_token. A header of exactly `Bearer x` or `Token x` yields x; any other header value is
 * taken whole (so a raw token works). Without the header: `access_token` from the query or the body.
 */
async function readAccessToken(ctx: Ctx): Promise<string | undefined> {
  const conf = ctx.config
  // node joins a repeated custom header with ", "; Kong reads the first occurrence (tokens have no commas)
  const header = ctx.request.getHeader(conf.auth_header_name)?.split(',')[0]
  let token: string
  let fromScheme = false
  if (header !== undefined) {
    const parts = header.split(/\s+/).filter(Boolean)
    fromScheme = parts.length === 2 && /^(bearer|token)$/i.test(parts[0])
    token = fromScheme ? parts[1] : header
  } else {
    const v = (await readParameters(ctx)).access_token
    if (typeof v !== 'string') return undefined // missing, or repeated (a list)
    token = v
  }
  if (conf.hide_credentials) await hideToken(ctx, fromScheme)
  return token
}

/** hide_credentials: the header when the token came as `Bearer x`, else the query and a form body (not JSON). */
async function hideToken(ctx: Ctx, fromScheme: boolean): Promise<void> {
  if (fromScheme) return ctx.upstream.clearHeader(ctx.config.auth_header_name)
  const query = new URLSearchParams(ctx.request.rawQuery)
  if (query.has('access_token')) {
    query.delete('access_token')
    ctx.upstream.setRawQuery(query.toString())
  }
  const type = ctx.request.getHeader('content-type') ?? ''
  if (ctx.request.method !== 'GET' && type.toLowerCase().includes('application/x-www-form-urlencoded')) {
    const body = new URLSearchParams((await ctx.request.getBody()).toString('utf8'))
    if (body.has('access_token')) {
      body.delete('access_token')
      ctx.upstream.setBody(body.toString())
    }
  }
}
