// POST .../oauth2/token: client authentication and the checks shared by every grant, in Kong's order, then
// the grant itself (grants.ts). 200 or 400; 401 with a Basic challenge when header credentials fail.
import type { Exit } from '../../pdk/index.ts'
import { clientCredentials, findClient, secretError } from './client-auth.ts'
import { grants } from './grants.ts'
import { BASIC_CHALLENGE, INVALID_CLIENT, INVALID_GRANT_TYPE, INVALID_REDIRECT_URI, noStoreExit, oauthError } from './messages.ts'
import { httpsError, readParameters, type Params } from './params.ts'
import type { Ctx } from './tokens.ts'

export async function tokenEndpoint(ctx: Ctx): Promise<Exit> {
  const params = await readParameters(ctx)
  const https = httpsError(ctx, ctx.config)
  const { result, unauthorized } = https ? { result: oauthError('access_denied', https), unauthorized: false } : await token(ctx, params)
  if (params.state !== undefined) result.state = params.state
  if (!result.error) return noStoreExit(ctx, 200, result)
  return unauthorized ? noStoreExit(ctx, 401, result, { 'www-authenticate': BASIC_CHALLENGE }) : noStoreExit(ctx, 400, result)
}

/** Later checks overwrite earlier errors, as in Kong; processing stops before the grant if any is set. */
async function token(ctx: Ctx, params: Params): Promise<{ result: Params; unauthorized: boolean }> {
  const conf = ctx.config
  let result: Params = {}
  // Kong keeps the 401 once header credentials failed, even if a later check sets another error.
  let unauthorized = false
  const grantType = params.grant_type
  // authorization_code and refresh_token are accepted whatever the enable_* flags say (Kong).
  const supported =
    grantType === 'authorization_code' ||
    grantType === 'refresh_token' ||
    (grantType === 'client_credentials' && conf.enable_client_credentials) ||
    (grantType === 'password' && conf.enable_password_grant)
  if (!supported) result = oauthError('unsupported_grant_type', INVALID_GRANT_TYPE)

  const creds = clientCredentials(ctx, params)
  const client = findClient(ctx, creds.id)
  if (grantType !== 'client_credentials') {
    // Every other grant needs a client with redirect_uris (a trap for password-grant users: Kong #5554, #1363).
    const allowed: string[] | null = client?.redirect_uris ?? null
    if (!allowed) {
      result = oauthError('invalid_client', INVALID_CLIENT)
      unauthorized ||= creds.fromHeader
      if (client) ctx.log.info('oauth2 client has no redirect_uris; only client_credentials can be used', { client_id: client.client_id })
    } else {
      const wanted = params.redirect_uri ?? allowed[0]
      if (typeof wanted !== 'string' || !allowed.includes(wanted)) result = oauthError('invalid_request', INVALID_REDIRECT_URI)
    }
  }
  if (client) {
    const err = await secretError(client, creds)
    if (err) {
      result = err
      if (err.error === 'invalid_client') unauthorized ||= creds.fromHeader
    }
  }
  if (result.error) return { result, unauthorized }
  const grant = grants[grantType as keyof typeof grants]
  return { result: await grant(ctx, params, client), unauthorized }
}
