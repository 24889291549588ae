// How long an introspection answer may be cached: min(configured TTL, the IdP's Cache-Control max-age,
// the token's exp). RFC 7662 §4: an answer must never outlive the token's `exp`.

/** What the IdP's Cache-Control allows: `undefined` = no limit, 0 = do not cache, N = at most N seconds. */
export function cacheControlLimit(header: string | string[] | undefined): number | undefined {
  const value = Array.isArray(header) ? header.join(',') : header
  if (!value) return undefined
  const directives = value.toLowerCase().split(',').map((d) => d.trim())
  // no-store and no-cache both mean "do not reuse without asking again", which for us is "do not cache".
  if (directives.some((d) => d === 'no-store' || d === 'no-cache')) return 0
  for (const d of directives) {
    const m = /^(?:s-)?max-age\s*=\s*"?(\d+)"?$/.exec(d)
    if (m) return Number(m[1])
  }
  return undefined
}

export interface TtlInputs {
  /** The plugin's configured lifetime in seconds (Infinity for "no limit"). */
  configured: number
  /** The IdP response's Cache-Control header. */
  cacheControl?: string | string[]
  /** The token's `exp` (seconds since the epoch), when known. */
  exp?: number
  /** Now, in milliseconds since the epoch (injectable for tests). */
  nowMs?: number
}

/** Seconds to cache for; 0 or less means "do not cache". */
export function cacheTtl({ configured, cacheControl, exp, nowMs = Date.now() }: TtlInputs): number {
  let ttl = configured
  const limit = cacheControlLimit(cacheControl)
  if (limit !== undefined) ttl = Math.min(ttl, limit)
  if (typeof exp === 'number' && Number.isFinite(exp)) ttl = Math.min(ttl, exp - nowMs / 1000)
  return Number.isFinite(ttl) ? Math.max(0, ttl) : NO_EXPIRY_SECONDS
}

/** Kong's `ttl = 0` means "never expire"; a year stands in for that in a bounded cache. */
export const NO_EXPIRY_SECONDS = 365 * 24 * 3600
