// POST .../oauth2/authorize: the resource owner's web app asks, over the back channel and vouched for by the
// provision key, for a code (or an implicit token); the answer is JSON `{redirect_uri}`, 200 or 400, never a 302.
import type { Entity } from '../../entity.ts'
import type { Exit } from '../../pdk/index.ts'
import { findClient } from './client-auth.ts'
import {
  INVALID_CLIENT, INVALID_PROVISION_KEY, INVALID_REDIRECT_URI, INVALID_RESPONSE_TYPE, MISSING_USERID, challengeRequired, noStoreExit, oauthError,
} from './messages.ts'
import { buildRedirect, httpsError, isPresent, readParameters, retrieveScope, type Params } from './params.ts'
import { readChallenge, requiresPkce } from './pkce.ts'
import { secretsEqual } from './secret.ts'
import { CODES, CODE_TTL_SECONDS, boundService, issueToken, type Ctx } from './tokens.ts'

interface Outcome {
  result: Params
  /** Where the client is sent back; unknown when the client is (then the bare error is the body). */
  redirectUri?: string
  implicit?: boolean
}

export async function authorizeEndpoint(ctx: Ctx): Promise<Exit> {
  const conf = ctx.config
  const params = await readParameters(ctx)
  let outcome: Outcome
  // These three answer with a bare error: the caller is not yet known to be the resource owner's app.
  const https = httpsError(ctx, conf)
  if (https) outcome = { result: oauthError('access_denied', https) }
  else if (!secretsEqual(params.provision_key, conf.provision_key)) outcome = { result: oauthError('invalid_provision_key', INVALID_PROVISION_KEY) }
  else if (!isPresent(params.authenticated_userid)) outcome = { result: oauthError('invalid_authenticated_userid', MISSING_USERID) }
  else outcome = await authorize(ctx, params, params.authenticated_userid)

  const { result, redirectUri, implicit } = outcome
  if (params.state !== undefined) result.state = params.state
  const body = redirectUri !== undefined ? { redirect_uri: buildRedirect(redirectUri, result, !!implicit) } : result
  return noStoreExit(ctx, result.error ? 400 : 200, body)
}

/** Kong runs every check below and keeps the last error set, so their order is part of the contract. */
async function authorize(ctx: Ctx, params: Params, userid: string): Promise<Outcome> {
  const conf = ctx.config
  let result: Params = {}
  const responseType = params.response_type
  const code = responseType === 'code' && conf.enable_authorization_code
  if (!code && !(responseType === 'token' && conf.enable_implicit_grant)) result = oauthError('unsupported_response_type', INVALID_RESPONSE_TYPE)

  const scope = retrieveScope(params, conf)
  if (scope.error) result = scope.error

  const client = findClient(ctx, params.client_id)
  let redirectUri: string | undefined
  const allowed: string[] | null = client?.redirect_uris ?? null
  if (!allowed) result = oauthError('invalid_client', INVALID_CLIENT)
  else {
    const wanted = params.redirect_uri ?? allowed[0]
    if (typeof wanted === 'string' && allowed.includes(wanted)) redirectUri = wanted
    else {
      result = oauthError('invalid_request', INVALID_REDIRECT_URI)
      redirectUri = allowed[0] // errors go back to the first registered URI
    }
  }

  const pkce = readChallenge(params)
  if (pkce.error) result = oauthError('invalid_request', pkce.error)
  else if (client && !pkce.challenge && requiresPkce(conf, client)) result = oauthError('invalid_request', challengeRequired(client.client_type))

  if (result.error) return { result, redirectUri }
  if (code) return { result: { code: await insertCode(ctx, client!, userid, scope.scope, pkce) }, redirectUri }
  const token = await issueToken(ctx, client!, userid, scope.scope, { noRefresh: true })
  return { result: token!, redirectUri, implicit: true }
}

async function insertCode(ctx: Ctx, client: Entity, userid: string, scope: string | undefined, pkce: { challenge?: string; method?: string }): Promise<string> {
  const row = await ctx.store.insert(
    CODES,
    {
      service: boundService(ctx),
      credential: { id: client.id },
      authenticated_userid: userid,
      scope: scope ?? null,
      challenge: pkce.challenge || null, // an empty challenge stores none: the exchange then fails with invalid_grant
      challenge_method: pkce.method ?? null,
      plugin: { id: ctx.pluginId },
    },
    { ttl: CODE_TTL_SECONDS },
  )
  return row.code
}
