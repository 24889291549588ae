// The four grants of the token endpoint, once the client is authenticated. Codes and refresh tokens are
// consumed with a conditional delete, so of two proxies redeeming the same one, exactly one succeeds.
import type { Entity } from '../../entity.ts'
import {
  INVALID_CLIENT, INVALID_CODE, INVALID_PROVISION_KEY, INVALID_REFRESH_TOKEN, MISSING_USERID, SCOPE_MISMATCH, oauthError,
} from './messages.ts'
import { isPresent, retrieveScope, type Params } from './params.ts'
import { requiresPkce, verifierError } from './pkce.ts'
import { secretsEqual } from './secret.ts'
import { CODES, TOKENS, issueToken, serviceMatches, type Ctx } from './tokens.ts'

type Grant = (ctx: Ctx, params: Params, client: Entity | undefined) => Promise<Params>

const invalidCode = () => oauthError('invalid_request', INVALID_CODE)
const invalidRefresh = () => oauthError('invalid_request', INVALID_REFRESH_TOKEN)

const authorizationCode: Grant = async (ctx, params, client) => {
  const code = typeof params.code === 'string' && params.code !== '' ? await ctx.store.findOne(CODES, { code: params.code }) : undefined
  // Kong answers 500 for a global code at a non-global plugin; that is simply an invalid code here.
  if (!code || !serviceMatches(ctx, code) || code.credential?.id !== client!.id) return invalidCode()
  if (requiresPkce(ctx.config, client!, !!code.challenge_method)) {
    const err = verifierError(params, code.challenge)
    if (err) return err
  }
  // With global_credentials, a code is redeemable only at the plugin that issued it (codes without one predate 3.3).
  if (ctx.config.global_credentials && code.plugin && code.plugin.id !== ctx.pluginId) return invalidCode()
  if ((await ctx.store.deleteWhere(CODES, { id: code.id })) !== 1) return invalidCode() // redeemed concurrently
  return (await issueToken(ctx, client!, code.authenticated_userid, code.scope))!
}

const clientCredentials: Grant = async (ctx, params, client) => {
  // The provision key is needed only to vouch for a user id.
  if (params.authenticated_userid !== undefined && !secretsEqual(params.provision_key, ctx.config.provision_key)) return oauthError('invalid_provision_key', INVALID_PROVISION_KEY)
  if (!client) return oauthError('invalid_client', INVALID_CLIENT)
  const scope = retrieveScope(params, ctx.config)
  if (scope.error) return scope.error
  return (await issueToken(ctx, client, params.authenticated_userid, scope.scope, { noRefresh: true }))!
}

/** The web backend authenticated the user and vouches for them with the provision key; no password is seen. */
const password: Grant = async (ctx, params, client) => {
  if (!secretsEqual(params.provision_key, ctx.config.provision_key)) return oauthError('invalid_provision_key', INVALID_PROVISION_KEY)
  if (!isPresent(params.authenticated_userid)) return oauthError('invalid_authenticated_userid', MISSING_USERID)
  const scope = retrieveScope(params, ctx.config)
  if (scope.error) return scope.error
  return (await issueToken(ctx, client!, params.authenticated_userid, scope.scope))!
}

const refreshToken: Grant = async (ctx, params, client) => {
  const conf = ctx.config
  const refresh = params.refresh_token
  const token = typeof refresh === 'string' && refresh !== '' ? await ctx.store.findOne(TOKENS, { refresh_token: refresh }) : undefined
  if (!token || !serviceMatches(ctx, token)) return invalidRefresh()
  if (token.credential?.id !== client!.id) return oauthError('invalid_client', INVALID_CLIENT)
  // Every scope of the old token must still be offered by this plugin.
  if (token.scope && String(token.scope).split(/\s+/).some((s) => s && !conf.scopes?.includes(s))) return oauthError('invalid_scope', SCOPE_MISMATCH)
  if (!conf.reuse_refresh_token) {
    // The old pair dies now; deleting first means a concurrent refresh of the same token cannot mint a second pair.
    if ((await ctx.store.deleteWhere(TOKENS, { id: token.id })) !== 1) return invalidRefresh()
    conf.tokens.delete(token.access_token)
  }
  return (await issueToken(ctx, client!, token.authenticated_userid, token.scope, { existing: token })) ?? invalidRefresh()
}

export const grants: Record<'authorization_code' | 'client_credentials' | 'password' | 'refresh_token', Grant> = {
  authorization_code: authorizationCode,
  client_credentials: clientCredentials,
  password,
  refresh_token: refreshToken,
}
