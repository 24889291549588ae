// Verified tokens per plugin instance: an RSA verify costs ~30 µs, a lookup here ~1 µs. Keyed by a hash
// of the token (never the token itself), bounded, expiring with the token. It lives in the instance's
// compiled config, so any config change (a credential patched or deleted) starts it empty.
import { hash } from 'node:crypto'

export interface Verified {
  /** The jwt_secrets row that verified the token. */
  credential: Record<string, any> & { id: string }
  claims: Record<string, unknown>
  /** The JWKS key set whose key verified it: the entry is void once that set is replaced. */
  keySet?: { uri: string; set: object }
}

/** Longest an entry lives, whatever the token's `exp`: claims are rechecked on every hit anyway. */
export const MAX_TTL_MS = 3_600_000
const MAX_ENTRIES = 10_000

export class VerifiedCache {
  private map = new Map<string, { v: Verified; until: number }>()

  constructor(private readonly max = MAX_ENTRIES, private readonly now: () => number = () => Date.now()) {}

  static keyOf(token: string): string {
    return hash('sha256', token, 'base64url') // one-shot: no Hash object per request
  }

  /** `key` is `VerifiedCache.keyOf(token)`, computed once per request. */
  get(key: string): Verified | undefined {
    const e = this.map.get(key)
    if (!e) return undefined
    if (e.until <= this.now()) {
      this.map.delete(key)
      return undefined
    }
    return e.v
  }

  /** Remember until `exp` (seconds) when it is ahead of us, else for MAX_TTL_MS. */
  set(key: string, v: Verified, exp: unknown): void {
    const now = this.now()
    const expMs = typeof exp === 'number' ? exp * 1000 : Infinity
    const until = Math.min(now + MAX_TTL_MS, expMs > now ? expMs : now + MAX_TTL_MS)
    if (this.map.size >= this.max) this.map.delete(this.map.keys().next().value as string)
    this.map.set(key, { v, until })
  }

  delete(key: string): void {
    this.map.delete(key)
  }

  get size(): number {
    return this.map.size
  }
}
