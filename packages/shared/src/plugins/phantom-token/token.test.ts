// Token and scope reading as Curity v2.0.1 does it.
import { describe, expect, it } from 'vitest'
import { UnsecuredJWT } from 'jose'
import { hasScopes, readClaims, readToken } from './token.ts'

describe('readToken', () => {
  it('accepts the scheme in any case and strips every whitespace character', () => {
    expect(readToken('Bearer abc', 'bearer ')).toBe('abc')
    expect(readToken('BEARER abc', 'bearer ')).toBe('abc')
    expect(readToken('bEaReR      ab c ', 'bearer ')).toBe('abc')
    expect(readToken('dpop abc', 'dpop ')).toBe('abc')
  })
  it('returns null for a missing header, another scheme, or no token', () => {
    expect(readToken(undefined, 'bearer ')).toBeNull()
    expect(readToken('Basic abcdef', 'bearer ')).toBeNull()
    expect(readToken('Bearer', 'bearer ')).toBeNull()
    expect(readToken('Bearer    ', 'bearer ')).toBeNull()
    expect(readToken('Bearer abc', 'dpop ')).toBeNull()
  })
})

describe('scopes', () => {
  it('reads a space-separated scope claim and the exp', () => {
    const jwt = new UnsecuredJWT({ scope: 'read write' }).setExpirationTime(2_000_000_000).encode()
    expect(readClaims(jwt)).toEqual({ scopes: ['read', 'write'], exp: 2_000_000_000 })
  })
  it('has no scopes for a JWT without a scope claim or a body that is not a JWT', () => {
    expect(readClaims(new UnsecuredJWT({}).encode()).scopes).toBeNull()
    expect(readClaims('not-a-jwt').scopes).toBeNull()
  })
  it('requires every configured scope', () => {
    expect(hasScopes(['read', 'write'], ['read'])).toBe(true)
    expect(hasScopes(['read', 'write'], ['read', 'write'])).toBe(true)
    expect(hasScopes(['read', 'write'], ['read', 'execute'])).toBe(false)
    expect(hasScopes(null, ['read'])).toBe(false)
    expect(hasScopes(null, [])).toBe(true)
  })
})
