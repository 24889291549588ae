// Postern's opt-in RFC 7662 introspection and RFC 7009 revocation endpoints. An authenticated client sees and
// revokes only its own tokens (of this plugin's service), so the endpoints cannot be used to scan for tokens.
import type { Entity } from '../../entity.ts'
import type { Exit } from '../../pdk/index.ts'
import { clientCredentials, findClient, secretError } from './client-auth.ts'
import { BASIC_CHALLENGE, INVALID_CLIENT, TOKEN_PARAMETER_MISSING, noStoreExit, oauthError } from './messages.ts'
import { httpsError, readParameters, type Params } from './params.ts'
import { TOKENS, serviceMatches, type Ctx } from './tokens.ts'

type Authenticated = { client: Entity; token: string; hint: unknown } | { exit: Exit }

/** HTTPS, client authentication and the `token` parameter, as both RFCs require. */
async function prelude(ctx: Ctx): Promise<Authenticated> {
  const https = httpsError(ctx, ctx.config)
  if (https) return { exit: noStoreExit(ctx, 400, oauthError('access_denied', https)) }
  const params: Params = await readParameters(ctx)
  const creds = clientCredentials(ctx, params)
  const client = findClient(ctx, creds.id)
  const err = client ? await secretError(client, creds) : oauthError('invalid_client', INVALID_CLIENT)
  if (err) {
    const unauthorized = err.error === 'invalid_client' && creds.fromHeader
    return { exit: unauthorized ? noStoreExit(ctx, 401, err, { 'www-authenticate': BASIC_CHALLENGE }) : noStoreExit(ctx, 400, err) }
  }
  if (typeof params.token !== 'string' || params.token === '') return { exit: noStoreExit(ctx, 400, oauthError('invalid_request', TOKEN_PARAMETER_MISSING)) }
  return { client: client!, token: params.token, hint: params.token_type_hint }
}

/** The client's own token by access or refresh token, the hinted kind first (RFC 7009 §2.1). */
async function ownToken(ctx: Ctx, client: Entity, token: string, hint: unknown): Promise<{ row: Entity; isRefresh: boolean } | undefined> {
  const order = hint === 'refresh_token' ? (['refresh_token', 'access_token'] as const) : (['access_token', 'refresh_token'] as const)
  for (const field of order) {
    const row = await ctx.store.findOne(TOKENS, { [field]: token })
    if (row) return row.credential?.id === client.id && serviceMatches(ctx, row) ? { row, isRefresh: field === 'refresh_token' } : undefined
  }
  return undefined
}

export async function introspectionEndpoint(ctx: Ctx): Promise<Exit> {
  const p = await prelude(ctx)
  if ('exit' in p) return p.exit
  const found = await ownToken(ctx, p.client, p.token, p.hint)
  const now = Date.now() / 1000
  if (!found) return noStoreExit(ctx, 200, { active: false })
  const { row, isRefresh } = found
  const expiresAt = isRefresh ? row.purge_at : row.expires_in > 0 ? row.created_at + row.expires_in : null
  if (expiresAt !== null && expiresAt !== undefined && now > expiresAt) return noStoreExit(ctx, 200, { active: false })
  return noStoreExit(ctx, 200, {
    active: true,
    client_id: p.client.client_id,
    token_type: isRefresh ? 'refresh_token' : 'bearer',
    scope: row.scope ?? undefined,
    // the resource owner the token speaks for (RFC 7662 `sub` and `username`)
    sub: row.authenticated_userid ?? undefined,
    username: row.authenticated_userid ?? undefined,
    iat: row.created_at,
    exp: expiresAt ?? undefined,
  })
}

/** RFC 7009: 200 whether or not the token existed; the access and refresh token of the row go together. */
export async function revocationEndpoint(ctx: Ctx): Promise<Exit> {
  const p = await prelude(ctx)
  if ('exit' in p) return p.exit
  const found = await ownToken(ctx, p.client, p.token, p.hint)
  if (found) {
    await ctx.store.delete(TOKENS, found.row.id)
    ctx.config.tokens.delete(found.row.access_token)
  }
  return ctx.exit(200, undefined, { 'cache-control': 'no-store', pragma: 'no-cache' }, found ? 'oauth2.revoked' : undefined)
}
