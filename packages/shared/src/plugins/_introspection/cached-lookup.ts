// Cache + single-flight around one identity-provider call: a hit answers from the cache, concurrent
// misses share one call, and only answers the loader marks cacheable (ttl > 0) are stored.
import type { PdkCache } from '../../pdk/index.ts'
import type { SingleFlight } from './single-flight.ts'

/** What a loader returns: a good answer with its TTL (≤ 0 = do not cache), or a failure that is never cached. */
export type LoadResult<T, F> = { ok: true; value: T; ttlSeconds: number } | { ok: false; failure: F }

export type LookupResult<T, F> = { ok: true; value: T; hit: boolean } | { ok: false; failure: F }

export async function cachedLookup<T, F>(
  cache: PdkCache | null,
  flights: SingleFlight<LoadResult<T, F>>,
  key: string,
  load: () => Promise<LoadResult<T, F>>,
): Promise<LookupResult<T, F>> {
  if (cache) {
    const hit = cache.get<T>(key)
    if (hit !== undefined) return { ok: true, value: hit, hit: true }
  }
  const r = await flights.run(key, async () => {
    const loaded = await load()
    // Stored by the one caller that ran the load, before the waiters resume, so later requests hit.
    if (cache && loaded.ok && loaded.ttlSeconds > 0) cache.set(key, loaded.value, loaded.ttlSeconds)
    return loaded
  })
  return r.ok ? { ok: true, value: r.value, hit: false } : { ok: false, failure: r.failure }
}
