// JWKS key sets with a fake fetch and clock: first fetch, background refresh, refetch on unknown kid
// with a cooldown, and the last good set kept while the issuer is down.
import { describe, expect, it } from 'vitest'
import type { JWK } from 'jose'
import { JwksCache, selectKeys } from './jwks.ts'

const T = { refreshInterval: 300, cooldown: 10 }
const rsa = (kid: string, extra: Partial<JWK> = {}): JWK => ({ kty: 'RSA', kid, n: 'AQAB', e: 'AQAB', ...extra })

function issuer(initial: JWK[]) {
  const state = { keys: initial, status: 200, calls: 0, now: 1_000_000 }
  const cache = new JwksCache(
    async () => {
      state.calls++
      if (state.status === 0) throw new Error('connect ECONNREFUSED')
      return { status: state.status, body: JSON.stringify({ keys: state.keys }) }
    },
    undefined,
    () => state.now,
  )
  return { state, cache, kids: async (kid?: string) => (await cache.keys('https://idp/jwks', 'RS256', kid, T))?.keys.map((k) => k.kid) ?? null }
}

const settle = () => new Promise((r) => setTimeout(r, 0))

describe('JwksCache', () => {
  it('fetches on first use and then serves from memory', async () => {
    const { state, kids } = issuer([rsa('a')])
    expect(await kids('a')).toEqual(['a'])
    expect(await kids('a')).toEqual(['a'])
    expect(state.calls).toBe(1)
  })

  it('refetches once for an unknown kid, then not again within the cooldown', async () => {
    const { state, kids } = issuer([rsa('a')])
    await kids('a')
    state.now += 11_000
    state.keys = [rsa('a'), rsa('b')]
    expect(await kids('b')).toEqual(['b'])
    expect(state.calls).toBe(2)
    expect(await kids('zzz')).toEqual([])
    expect(await kids('zzz')).toEqual([])
    expect(state.calls).toBe(2)
    state.now += 10_000
    expect(await kids('zzz')).toEqual([])
    expect(state.calls).toBe(3)
  })

  it('refreshes a stale set in the background while answering with the current one', async () => {
    const { state, cache, kids } = issuer([rsa('a')])
    await kids('a')
    const first = cache.current('https://idp/jwks')
    state.keys = [rsa('b')]
    state.now += 301_000
    expect(await kids('a')).toEqual(['a'])
    await settle()
    expect(state.calls).toBe(2)
    expect(await kids('a')).toEqual([])
    expect(cache.current('https://idp/jwks')).not.toBe(first)
  })

  it('keeps the same set object when a refresh returns the same keys', async () => {
    const { state, cache, kids } = issuer([rsa('a')])
    await kids('a')
    const first = cache.current('https://idp/jwks')
    state.now += 301_000
    await kids('a')
    await settle()
    expect(state.calls).toBe(2)
    expect(cache.current('https://idp/jwks')).toBe(first)
  })

  it('keeps the last good set when the issuer fails or answers garbage', async () => {
    const { state, kids } = issuer([rsa('a')])
    await kids('a')
    state.status = 0
    state.now += 301_000
    expect(await kids('a')).toEqual(['a'])
    await settle()
    state.status = 500
    state.now += 301_000
    expect(await kids('a')).toEqual(['a'])
    await settle()
    expect(state.calls).toBe(3)
    expect(await kids('a')).toEqual(['a'])
  })

  it('answers null while no set was ever fetched and retries only after the cooldown', async () => {
    const { state, kids } = issuer([rsa('a')])
    state.status = 503
    expect(await kids('a')).toBeNull()
    expect(await kids('a')).toBeNull()
    expect(state.calls).toBe(1)
    state.status = 200
    state.now += 10_000
    expect(await kids('a')).toEqual(['a'])
  })

  it('shares one fetch between concurrent requests', async () => {
    const { state, kids } = issuer([rsa('a')])
    await Promise.all([kids('a'), kids('a'), kids('a')])
    expect(state.calls).toBe(1)
  })
})

describe('selectKeys', () => {
  it('keeps signing keys of the algorithm family, curve and kid', () => {
    const set = {
      keys: [
        rsa('r1'),
        rsa('r2', { use: 'enc' }),
        rsa('r3', { alg: 'RS512' }),
        { kty: 'EC', crv: 'P-256', kid: 'e1', x: '', y: '' },
        { kty: 'EC', crv: 'P-384', kid: 'e2', x: '', y: '' },
        { kty: 'OKP', crv: 'Ed25519', kid: 'o1', x: '' },
      ] as JWK[],
    }
    expect(selectKeys(set, 'RS256', undefined).map((k) => k.kid)).toEqual(['r1'])
    expect(selectKeys(set, 'PS512', undefined).map((k) => k.kid)).toEqual(['r1'])
    expect(selectKeys(set, 'ES256', undefined).map((k) => k.kid)).toEqual(['e1'])
    expect(selectKeys(set, 'EdDSA', 'o1').map((k) => k.kid)).toEqual(['o1'])
    expect(selectKeys(set, 'RS256', 'e1')).toEqual([])
  })
})
