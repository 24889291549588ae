// The memory strategy: byte-bounded dictionaries named as Kong's nginx shared dicts, one set per proxy
// process (Kong's shm is per node, shared by its workers; a Postern proxy is one process). When full,
// the least recently used entries go first, as an nginx shared dict evicts.

export interface CachedResponse {
  status: number
  headers: Record<string, string | string[]>
  body: Buffer
  /** Seconds since the epoch when stored. */
  timestamp: number
  /** The resource TTL (cache_ttl, or from Cache-Control). */
  ttl: number
  version: number
}

const MiB = 1024 * 1024
/** Kong's shared dicts and their sizes in its nginx template (kong_db_cache is mem_cache_size, 128m). */
export const DICTIONARY_SIZES: Record<string, number> = {
  kong: 5 * MiB,
  kong_db_cache: 128 * MiB,
  kong_db_cache_miss: 12 * MiB,
  kong_core_db_cache: 128 * MiB,
  kong_core_db_cache_miss: 12 * MiB,
  kong_locks: 8 * MiB,
  kong_healthchecks: 5 * MiB,
  kong_cluster_events: 5 * MiB,
  kong_rate_limiting_counters: 12 * MiB,
  kong_secrets: 5 * MiB,
}

type Slot = { value: CachedResponse; size: number; expires: number }

export class MemoryDictionary {
  private map = new Map<string, Slot>()
  private used = 0
  constructor(readonly capacity: number, private now: () => number = Date.now) {}

  get(key: string): CachedResponse | undefined {
    const s = this.map.get(key)
    if (!s) return undefined
    if (s.expires <= this.now()) {
      this.remove(key, s)
      return undefined
    }
    // most recently used goes to the end of the Map's order
    this.map.delete(key)
    this.map.set(key, s)
    return s.value
  }

  /** False when the entry alone is larger than the dictionary (nginx's "no memory"). */
  set(key: string, value: CachedResponse, ttlSeconds: number): boolean {
    const size = sizeOf(key, value)
    if (size > this.capacity) return false
    const old = this.map.get(key)
    if (old) this.remove(key, old)
    for (const [k, s] of this.map) {
      if (this.used + size <= this.capacity) break
      this.remove(k, s)
    }
    this.map.set(key, { value, size, expires: this.now() + ttlSeconds * 1000 })
    this.used += size
    return true
  }

  delete(key: string): boolean {
    const s = this.map.get(key)
    if (s) this.remove(key, s)
    return !!s
  }

  flush(): void {
    this.map.clear()
    this.used = 0
  }

  get bytes(): number {
    return this.used
  }

  get size(): number {
    return this.map.size
  }

  private remove(key: string, s: Slot): void {
    this.map.delete(key)
    this.used -= s.size
  }
}

function sizeOf(key: string, v: CachedResponse): number {
  let n = key.length + v.body.length + 64
  for (const k in v.headers) {
    const h = v.headers[k]
    n += k.length + (Array.isArray(h) ? h.reduce((a, x) => a + x.length, 0) : h.length)
  }
  return n
}

const dictionaries = new Map<string, MemoryDictionary>()

/** The named dictionary of this proxy, created on first use. */
export function dictionary(name: string): MemoryDictionary {
  let d = dictionaries.get(name)
  if (!d) dictionaries.set(name, (d = new MemoryDictionary(DICTIONARY_SIZES[name] ?? DICTIONARY_SIZES.kong_db_cache)))
  return d
}

/** A purge broadcast from the admin: one key from every dictionary, or everything when `key` is null. */
export function purge(key: string | null): void {
  for (const d of dictionaries.values()) {
    if (key === null) d.flush()
    else d.delete(key)
  }
}
