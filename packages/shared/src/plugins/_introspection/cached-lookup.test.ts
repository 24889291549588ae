// Single-flight and cache around IdP calls: one call for concurrent misses, only good answers stored.
import { describe, expect, it } from 'vitest'
import { SingleFlight } from './single-flight.ts'
import { cachedLookup, type LoadResult } from './cached-lookup.ts'
import { configFingerprint, tokenCacheKey, sha256Hex } from './cache-key.ts'

function memoryCache() {
  const m = new Map<string, { v: unknown; ttl: number }>()
  return { m, get: (k: string) => m.get(k)?.v as any, set: (k: string, v: unknown, ttl: number) => void m.set(k, { v, ttl }), delete: (k: string) => void m.delete(k) }
}

describe('cachedLookup', () => {
  it('shares one load between concurrent misses for the same key', async () => {
    const flights = new SingleFlight<LoadResult<string, string>>()
    const cache = memoryCache()
    let loads = 0
    const load = async (): Promise<LoadResult<string, string>> => {
      loads++
      await new Promise((r) => setTimeout(r, 20))
      return { ok: true, value: 'jwt', ttlSeconds: 60 }
    }
    const results = await Promise.all(Array.from({ length: 20 }, () => cachedLookup(cache, flights, 'k', load)))
    expect(loads).toBe(1)
    expect(results.every((r) => r.ok && r.value === 'jwt')).toBe(true)
    expect(flights.size).toBe(0)
  })

  it('answers a later request from the cache without loading', async () => {
    const flights = new SingleFlight<LoadResult<string, string>>()
    const cache = memoryCache()
    await cachedLookup(cache, flights, 'k', async () => ({ ok: true, value: 'a', ttlSeconds: 60 }))
    const r = await cachedLookup(cache, flights, 'k', async () => ({ ok: true, value: 'b', ttlSeconds: 60 }))
    expect(r).toEqual({ ok: true, value: 'a', hit: true })
    expect(cache.m.get('k')!.ttl).toBe(60)
  })

  it('never caches failures or answers with a zero lifetime', async () => {
    const flights = new SingleFlight<LoadResult<string, string>>()
    const cache = memoryCache()
    const failed = await cachedLookup(cache, flights, 'a', async () => ({ ok: false, failure: 'nope' }))
    expect(failed).toEqual({ ok: false, failure: 'nope' })
    await cachedLookup(cache, flights, 'b', async () => ({ ok: true, value: 'x', ttlSeconds: 0 }))
    expect(cache.m.size).toBe(0)
  })

  it('does not replay a thrown load to later callers', async () => {
    const flights = new SingleFlight<LoadResult<string, string>>()
    await expect(cachedLookup(null, flights, 'k', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom')
    const r = await cachedLookup(null, flights, 'k', async () => ({ ok: true, value: 'ok', ttlSeconds: 1 }))
    expect(r.ok).toBe(true)
  })
})

describe('cache keys', () => {
  it('never contain the raw token and differ per instance and config', () => {
    const token = 'e4d51903-0f9d-41e5-b50e-b7fe7d630612'
    const a = tokenCacheKey('phantom-token', 'id-1', configFingerprint('http://idp/a', 'c'), token)
    expect(a).not.toContain(token)
    expect(a).toContain(sha256Hex(token))
    expect(tokenCacheKey('phantom-token', 'id-2', configFingerprint('http://idp/a', 'c'), token)).not.toBe(a)
    expect(tokenCacheKey('phantom-token', 'id-1', configFingerprint('http://idp/b', 'c'), token)).not.toBe(a)
  })
})
