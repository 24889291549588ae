// Claim checks after the signature (Kong's verify_registered_claims and check_maximum_expiration),
// with Postern's opt-in clock skew and required issuer/audience values.
export type ClaimErrors = Record<string, string>

export interface ClaimRules {
  claims_to_verify: readonly ('exp' | 'nbf')[] | null
  maximum_expiration: number
  clock_skew: number
  issuers: readonly string[] | null
  audiences: readonly string[] | null
}

const MUST_BE_NUMBER = 'must be a number'
const EXPIRED = 'token expired'
const NOT_YET_VALID = 'token not valid yet'
const TOO_LONG = 'exceeds maximum allowed expiration'
const ISSUER_NOT_ALLOWED = 'issuer not allowed'
const AUDIENCE_NOT_ALLOWED = 'audience not allowed'

/** Kong's clock: whole seconds. */
export const nowSeconds = () => Math.floor(Date.now() / 1000)

/** Registered-claim errors, one key per failing claim (`{"exp":"token expired"}`), or null. */
export function checkClaims(claims: Record<string, unknown>, rules: ClaimRules, now = nowSeconds()): ClaimErrors | null {
  // no closures here: this runs on every request, cached tokens included
  let errors: ClaimErrors | null = null
  for (const name of rules.claims_to_verify ?? []) {
    const v = claims[name]
    const error =
      typeof v !== 'number' ? MUST_BE_NUMBER
      : name === 'exp' && v + rules.clock_skew <= now ? EXPIRED
      : name === 'nbf' && v - rules.clock_skew > now ? NOT_YET_VALID
      : null
    if (error) (errors ??= {})[name] = error
  }
  if (rules.issuers && !(typeof claims.iss === 'string' && rules.issuers.includes(claims.iss))) (errors ??= {}).iss = ISSUER_NOT_ALLOWED
  if (rules.audiences && !allowedAudience(claims.aud, rules.audiences)) (errors ??= {}).aud = AUDIENCE_NOT_ALLOWED
  return errors
}

function allowedAudience(aud: unknown, allowed: readonly string[]): boolean {
  if (typeof aud === 'string') return allowed.includes(aud)
  return Array.isArray(aud) && aud.some((a) => typeof a === 'string' && allowed.includes(a))
}

/** Kong runs this only once the claims passed; `exp` is then present because the schema demands it. */
export function checkMaximumExpiration(claims: Record<string, unknown>, maximum: number, now = nowSeconds()): ClaimErrors | null {
  if (maximum <= 0) return null
  const exp = claims.exp
  if (typeof exp !== 'number' || exp - now > maximum) return { exp: TOO_LONG }
  return null
}
