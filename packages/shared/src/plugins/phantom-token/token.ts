// Reading the opaque token and the JWT's scopes, as Curity's v2.0.1 plugin does.
import { decodeJwt } from 'jose'

/**
 * The token from `Authorization: <scheme> <token>`: the scheme is matched case-insensitively (`BEARER x`
 * works), and every whitespace character in the rest is removed, as Curity v2 does. Null when absent.
 */
export function readToken(header: string | undefined, prefix: string): string | null {
  if (!header || header.length <= prefix.length) return null
  if (header.slice(0, prefix.length).toLowerCase() !== prefix) return null
  const token = header.slice(prefix.length).replace(/\s+/g, '')
  return token === '' ? null : token
}

/** The `scope` (space-separated string or array) and `exp` claims, without verifying the signature. */
export function readClaims(jwt: string): { scopes: string[] | null; exp?: number } {
  try {
    const claims = decodeJwt(jwt)
    const s = claims.scope
    const scopes = typeof s === 'string' ? s.split(/\s+/).filter(Boolean) : Array.isArray(s) ? s.filter((x): x is string => typeof x === 'string') : null
    return { scopes, exp: typeof claims.exp === 'number' ? claims.exp : undefined }
  } catch {
    return { scopes: null }
  }
}

/** Every required scope is among the JWT's (a JWT without a scope claim has none). */
export function hasScopes(granted: string[] | null, required: string[]): boolean {
  if (required.length === 0) return true
  if (!granted) return false
  return required.every((s) => granted.includes(s))
}
