// Minting and finding access tokens in the shared store, with a brief per-instance cache of hits.
import type { Entity } from '../../entity.ts'
import type { PluginContext } from '../../pdk/index.ts'
import { nowSeconds, randomString } from '../../typedefs.ts'
import type { OAuth2Config } from './schema.ts'

export const TOKENS = 'oauth2_tokens'
export const CODES = 'oauth2_authorization_codes'
/** Kong's authorization-code TTL. */
export const CODE_TTL_SECONDS = 300

// Only hits are cached, so a token minted on another proxy is accepted at once. The cache lives in the
// compiled plugin instance, which every admin change replaces: an admin revocation or a credential deletion
// therefore reaches this proxy with the config change; a refresh or an RFC 7009 revocation made on another
// proxy, within this bound (Kong's own node-local cache has the same window).
const CACHE_MS = 1000
const CACHE_MAX = 10_000

/** Recently seen tokens of one plugin instance, by access token. */
export class TokenCache {
  private rows = new Map<string, { token: Entity; until: number }>()

  get(accessToken: string): Entity | undefined {
    const hit = this.rows.get(accessToken)
    if (hit && hit.until > Date.now()) return hit.token
    if (hit) this.rows.delete(accessToken)
    return undefined
  }

  set(token: Entity): void {
    if (this.rows.size >= CACHE_MAX) this.rows.delete(this.rows.keys().next().value as string)
    this.rows.set(token.access_token, { token, until: Date.now() + CACHE_MS })
  }

  delete(accessToken: string | null | undefined): void {
    if (accessToken) this.rows.delete(accessToken)
  }
}

/** What the handler receives: the validated config plus the instance's cache. */
export type OAuth2Runtime = OAuth2Config & { tokens: TokenCache }

export type Ctx = PluginContext<OAuth2Runtime>

/** The service a token or code is bound to: none when `global_credentials`. */
export function boundService(ctx: Ctx): { id: string } | null {
  return ctx.config.global_credentials || !ctx.service ? null : { id: ctx.service.id }
}

/** True when a token or code bound to `row.service` may be used on this plugin (unbound rows: global only). */
export function serviceMatches(ctx: Ctx, row: Entity): boolean {
  const bound = boundService(ctx)
  return !bound || row.service?.id === bound.id
}

export async function findToken(ctx: Ctx, accessToken: string): Promise<Entity | undefined> {
  const cached = ctx.config.tokens.get(accessToken)
  if (cached) return cached
  const token = await ctx.store.findOne(TOKENS, { access_token: accessToken })
  if (token) ctx.config.tokens.set(token)
  return token
}

export interface IssueOptions {
  /** Implicit and client_credentials grants never get a refresh token. */
  noRefresh?: boolean
  /** The row being refreshed; with `reuse_refresh_token` it is updated in place. */
  existing?: Entity
}

/**
 * Kong's generate_token. Resolves to the token response, or null when a concurrent refresh of the same row
 * won the race (the caller answers `Invalid refresh_token`).
 */
export async function issueToken(ctx: Ctx, client: Entity, userid: unknown, scope: string | null | undefined, opts: IssueOptions = {}): Promise<Record<string, unknown> | null> {
  const conf = ctx.config
  const expiresIn = Math.trunc(conf.token_expiration)
  // Rows (access and refresh token together) live for refresh_token_ttl; tokens that never expire, forever.
  const ttl = expiresIn > 0 && conf.refresh_token_ttl > 0 ? conf.refresh_token_ttl : undefined
  let token: Entity
  if (opts.existing && conf.reuse_refresh_token) {
    const old = opts.existing
    const fresh = { access_token: randomString(), expires_in: expiresIn, created_at: nowSeconds() }
    // compare-and-set on the old access token: of two concurrent refreshes, one wins
    const changed = await ctx.store.update(TOKENS, { id: old.id, access_token: old.access_token }, fresh, { ttl })
    if (changed !== 1) return null
    conf.tokens.delete(old.access_token)
    token = { ...old, ...fresh }
  } else {
    token = await ctx.store.insert(
      TOKENS,
      {
        service: boundService(ctx),
        credential: { id: client.id },
        authenticated_userid: typeof userid === 'string' && userid !== '' ? userid : null,
        expires_in: expiresIn,
        refresh_token: !opts.noRefresh && expiresIn > 0 ? randomString() : null,
        scope: scope || null,
      },
      { ttl },
    )
  }
  return {
    access_token: token.access_token,
    token_type: 'bearer',
    expires_in: expiresIn > 0 ? token.expires_in : undefined,
    refresh_token: token.refresh_token ?? undefined,
  }
}
