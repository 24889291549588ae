// Deterministic ids as Kong computes them (declarative_config.lua + resty.jit-uuid v5).
import { beforeAll, describe, expect, it } from 'vitest'
import { loadCatalogue, type Catalogue } from '@postern/shared'
import { deterministicId, uuidV5 } from './ids.ts'

let cat: Catalogue
beforeAll(async () => {
  cat = await loadCatalogue(['bundled'])
})
const def = (name: string) => cat.entity(name)!

describe('deterministic ids', () => {
  it('computes RFC 4122 v5 UUIDs like resty.jit-uuid', () => {
    // the example in lua-resty-jit-uuid's documentation
    expect(uuidV5('e6ebd542-06ae-11e6-8e82-bba81706b27d', 'hello')).toBe('4850816f-1658-5890-8bfd-1ed14251f1f0')
  })

  it('names services, routes and consumers by their endpoint key', () => {
    expect(deterministicId(def('services'), { name: 'echo' })).toBe('adbd70b3-4224-5183-a52a-179d7b34ab5b')
    expect(deterministicId(def('consumers'), { username: 'alice' })).toBe('b32379d9-3d28-5683-a79c-72139be6e34f')
    expect(deterministicId(def('services'), { host: 'unnamed.test' })).toBeUndefined()
  })

  it('keeps an explicit id', () => {
    expect(deterministicId(def('services'), { id: '3f0e5f3c-0d47-4c58-9d4a-0b1f3b8e2f11', name: 'echo' })).toBeUndefined()
  })

  it('names plugins by their cache key, so nested and top-level spellings differ as in Kong', () => {
    const nested = deterministicId(def('plugins'), { name: 'key-auth' }, { field: 'service', id: 'adbd70b3-4224-5183-a52a-179d7b34ab5b' })
    const topLevel = deterministicId(def('plugins'), { name: 'key-auth', service: 'echo' })
    expect(nested).toMatch(/^[0-9a-f-]{36}$/)
    expect(topLevel).toMatch(/^[0-9a-f-]{36}$/)
    expect(nested).not.toBe(topLevel)
    expect(deterministicId(def('plugins'), { name: 'key-auth', service: 'echo' })).toBe(topLevel)
  })

  it('leaves credentials whose cache key is generated (a key-auth key) to a random id', () => {
    expect(deterministicId(def('keyauth_credentials'), { key: 'given-anyway' }, { field: 'consumer', id: 'x' })).toBeUndefined()
  })
})
