// The verified-token cache: hashed keys, bounded size, expiry with the token.
import { describe, expect, it } from 'vitest'
import { MAX_TTL_MS, VerifiedCache } from './cache.ts'

const v = { credential: { id: 'c' }, claims: {} }

describe('VerifiedCache', () => {
  it('keys entries by a hash of the token, not the token', () => {
    expect(VerifiedCache.keyOf('a.b.c')).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(VerifiedCache.keyOf('a.b.c')).not.toContain('a.b.c')
  })

  it('expires an entry at the token exp', () => {
    let now = 1_000_000
    const c = new VerifiedCache(10, () => now)
    c.set('k', v, 1_000 + 5)
    expect(c.get('k')).toBe(v)
    now += 5_000
    expect(c.get('k')).toBeUndefined()
  })

  it('keeps tokens without a future exp for the maximum TTL only', () => {
    let now = 1_000_000
    const c = new VerifiedCache(10, () => now)
    c.set('k', v, undefined)
    now += MAX_TTL_MS - 1
    expect(c.get('k')).toBe(v)
    now += 1
    expect(c.get('k')).toBeUndefined()
  })

  it('evicts the oldest entry when full', () => {
    const c = new VerifiedCache(2)
    c.set('a', v, undefined)
    c.set('b', v, undefined)
    c.set('c', v, undefined)
    expect(c.size).toBe(2)
    expect(c.get('a')).toBeUndefined()
    expect(c.get('c')).toBe(v)
  })
})
