// Cache lifetime of introspection answers: the smallest of config, Cache-Control and exp.
import { describe, expect, it } from 'vitest'
import { cacheControlLimit, cacheTtl, NO_EXPIRY_SECONDS } from './ttl.ts'

describe('cacheControlLimit', () => {
  it('reads max-age among other directives', () => {
    expect(cacheControlLimit('no-transform, max-age=120')).toBe(120)
    expect(cacheControlLimit('public, s-maxage=5, max-age=60')).toBe(60)
  })
  it('treats no-store and no-cache as do-not-cache', () => {
    expect(cacheControlLimit('no-store')).toBe(0)
    expect(cacheControlLimit('max-age=60, no-cache')).toBe(0)
  })
  it('sets no limit when the header is absent or says nothing about age', () => {
    expect(cacheControlLimit(undefined)).toBeUndefined()
    expect(cacheControlLimit('public')).toBeUndefined()
  })
})

describe('cacheTtl', () => {
  const nowMs = 1_000_000_000_000
  it('uses the configured lifetime when nothing else limits it', () => {
    expect(cacheTtl({ configured: 300, nowMs })).toBe(300)
  })
  it('caps the lifetime at the IdP max-age', () => {
    expect(cacheTtl({ configured: 300, cacheControl: 'max-age=30', nowMs })).toBe(30)
  })
  it('never caches beyond the token exp', () => {
    expect(cacheTtl({ configured: 300, cacheControl: 'max-age=200', exp: nowMs / 1000 + 12, nowMs })).toBe(12)
  })
  it('returns 0 for an expired token or max-age=0', () => {
    expect(cacheTtl({ configured: 300, exp: nowMs / 1000 - 1, nowMs })).toBe(0)
    expect(cacheTtl({ configured: 300, cacheControl: 'max-age=0', nowMs })).toBe(0)
  })
  it('turns an unlimited configuration into a long finite lifetime', () => {
    expect(cacheTtl({ configured: Infinity, nowMs })).toBe(NO_EXPIRY_SECONDS)
  })
})
