// JWKS key sets by URI: fetched on first use, refreshed in the background once stale, refetched at once
// (at most every `cooldown` seconds) for an unknown `kid`, and kept when the issuer is unreachable.
import type { JWK } from 'jose'
import type { Algorithm } from './pem.ts'

/** One fetched key set. A new object only when the keys changed, so identity says "same keys". */
export interface KeySet {
  readonly keys: readonly JWK[]
}

export type JwksFetch = (url: string) => Promise<{ status: number; body: Buffer | string }>

export interface JwksTiming {
  /** Seconds after which the set is refreshed in the background. */
  refreshInterval: number
  /** Minimum seconds between fetches caused by unknown kids or failures. */
  cooldown: number
}

interface Entry {
  set: KeySet | null
  text: string
  fetchedAt: number
  attemptAt: number
  inflight: Promise<void> | null
}

const MAX_URIS = 1000
const MAX_KEYS = 100

const KTY: Record<string, string> = { RS: 'RSA', PS: 'RSA', ES: 'EC', Ed: 'OKP' }
const CRV: Record<string, string[]> = { ES256: ['P-256'], ES384: ['P-384'], ES512: ['P-521'], EdDSA: ['Ed25519', 'Ed448'] }

/** Keys of the set that may verify `alg` tokens with this `kid` (any kid when the token has none). */
export function selectKeys(set: KeySet, alg: Algorithm, kid: string | undefined): JWK[] {
  return set.keys.filter(
    (k) =>
      (kid === undefined || k.kid === kid) &&
      (k.use === undefined || k.use === 'sig') &&
      (k.alg === undefined || k.alg === alg) &&
      k.kty === KTY[alg.slice(0, 2)] &&
      (!CRV[alg] || CRV[alg].includes(k.crv as string)),
  )
}

function parseSet(body: Buffer | string): JWK[] | null {
  try {
    const doc = JSON.parse(body.toString())
    if (!doc || !Array.isArray(doc.keys)) return null
    return doc.keys.filter((k: unknown) => k && typeof k === 'object' && typeof (k as JWK).kty === 'string').slice(0, MAX_KEYS)
  } catch {
    return null
  }
}

export class JwksCache {
  private entries = new Map<string, Entry>()

  constructor(
    private readonly fetch: JwksFetch,
    private readonly log: { warn(msg: string, extra?: Record<string, unknown>): void } = { warn() {} },
    private readonly now: () => number = () => Date.now(),
  ) {}

  /** The current set and the keys fit for this token, or null when no set was ever fetched. */
  async keys(uri: string, alg: Algorithm, kid: string | undefined, t: JwksTiming): Promise<{ set: KeySet; keys: JWK[] } | null> {
    const e = this.entry(uri)
    const now = this.now()
    if (!e.set) {
      if (now - e.attemptAt >= t.cooldown * 1000 || e.inflight) await this.refresh(uri, e)
    } else if (now - e.fetchedAt >= t.refreshInterval * 1000 && now - e.attemptAt >= t.cooldown * 1000) {
      void this.refresh(uri, e) // stale-while-revalidate: this request uses the keys we have
    }
    if (!e.set) return null
    let keys = selectKeys(e.set, alg, kid)
    // an unknown kid usually means the issuer rotated: look once, but never let tokens drive a fetch storm
    if (keys.length === 0 && kid !== undefined && (e.inflight || now - e.attemptAt >= t.cooldown * 1000)) {
      await this.refresh(uri, e)
      keys = selectKeys(e.set, alg, kid)
    }
    return { set: e.set, keys }
  }

  /** The current set without fetching (for cache validation). */
  current(uri: string): KeySet | null {
    return this.entries.get(uri)?.set ?? null
  }

  private entry(uri: string): Entry {
    let e = this.entries.get(uri)
    if (e) {
      // keep recently used URIs at the end so the oldest is evicted first
      this.entries.delete(uri)
      this.entries.set(uri, e)
      return e
    }
    if (this.entries.size >= MAX_URIS) this.entries.delete(this.entries.keys().next().value as string)
    e = { set: null, text: '', fetchedAt: 0, attemptAt: -Infinity, inflight: null }
    this.entries.set(uri, e)
    return e
  }

  private refresh(uri: string, e: Entry): Promise<void> {
    if (e.inflight) return e.inflight
    e.attemptAt = this.now()
    const run = async () => {
      try {
        const res = await this.fetch(uri)
        const keys = res.status >= 200 && res.status < 300 ? parseSet(res.body) : null
        if (!keys) {
          this.log.warn('jwks fetch failed; keeping the last good key set', { jwks_uri: uri, status: res.status })
          return
        }
        const text = JSON.stringify(keys)
        if (text !== e.text) {
          e.set = { keys }
          e.text = text
        }
        e.fetchedAt = this.now()
      } catch (err) {
        this.log.warn('jwks fetch failed; keeping the last good key set', { jwks_uri: uri, error: String(err) })
      }
    }
    const p = run().finally(() => {
      if (e.inflight === p) e.inflight = null
    })
    return (e.inflight = p)
  }
}
