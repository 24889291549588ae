// Client authentication at the token (and RFC 7662/7009) endpoints: where the client id and secret come
// from, and whether they match the oauth2 credential (plain or PBKDF2-hashed).
import type { Entity } from '../../entity.ts'
import { INVALID_CLIENT, SECRET_FOR_PUBLIC, oauthError, type OAuthError } from './messages.ts'
import type { Params } from './params.ts'
import { secretsEqual, verifySecret } from './secret.ts'
import type { Ctx } from './tokens.ts'

export interface ClientCredentials {
  id?: unknown
  secret?: unknown
  /** The client used the `auth_header_name` header: failures then answer 401 with a Basic challenge. */
  fromHeader: boolean
}

/** `Basic <b64>` anywhere in the header, split at the first `:` (Kong master; 3.9 split at every `:`). */
function basic(header: string): { id?: string; secret?: string } {
  const m = /\s*[Bb]asic\s*(.+)/.exec(header)
  const b64 = m?.[1]
  if (!b64 || !/^[A-Za-z0-9+/]*={0,2}$/.test(b64) || b64.replace(/=+$/, '').length % 4 === 1) return {}
  const decoded = Buffer.from(b64, 'base64').toString('utf8')
  const i = decoded.indexOf(':')
  return i < 0 ? { id: decoded } : { id: decoded.slice(0, i), secret: decoded.slice(i + 1) }
}

/**
 * Kong's order: both parameters; else the header (even a non-Basic one, which then yields no client: a
 * stale `Authorization: Bearer` next to a `client_id` parameter fails, as in Kong); else `client_id` alone.
 */
export function clientCredentials(ctx: Ctx, params: Params): ClientCredentials {
  if (params.client_id !== undefined && params.client_secret !== undefined) return { id: params.client_id, secret: params.client_secret, fromHeader: false }
  const header = ctx.request.getHeader(ctx.config.auth_header_name)
  if (header !== undefined) return { ...basic(header), fromHeader: true }
  return { id: params.client_id, fromHeader: false }
}

export function findClient(ctx: Ctx, clientId: unknown): Entity | undefined {
  if (typeof clientId !== 'string' || clientId === '') return undefined
  return ctx.entities.find('oauth2_credentials', 'client_id', clientId)
}

/** A confidential client must present its secret; a public one must not present any. */
export async function secretError(client: Entity, creds: ClientCredentials): Promise<OAuthError | null> {
  if (client.client_type === 'confidential') {
    const ok = client.hash_secret ? await verifySecret(creds.secret, client.client_secret) : secretsEqual(creds.secret, client.client_secret)
    return ok ? null : oauthError('invalid_client', INVALID_CLIENT)
  }
  if (typeof creds.secret === 'string' && creds.secret.trim() !== '') return oauthError('invalid_request', SECRET_FOR_PUBLIC)
  return null
}
