// Registered-claim checks: Kong's messages, plus clock skew and required issuer/audience values.
import { describe, expect, it } from 'vitest'
import { checkClaims, checkMaximumExpiration, type ClaimRules } from './claims.ts'

const NOW = 1_700_000_000
const rules = (r: Partial<ClaimRules> = {}): ClaimRules => ({ claims_to_verify: null, maximum_expiration: 0, clock_skew: 0, issuers: null, audiences: null, ...r })

describe('checkClaims', () => {
  it('checks nothing by default, so an expired token passes as in Kong', () => {
    expect(checkClaims({ exp: NOW - 100 }, rules(), NOW)).toBeNull()
  })

  it('fails exp at or before now and nbf after now', () => {
    const r = rules({ claims_to_verify: ['exp', 'nbf'] })
    expect(checkClaims({ exp: NOW, nbf: NOW }, r, NOW)).toEqual({ exp: 'token expired' })
    expect(checkClaims({ exp: NOW + 1, nbf: NOW + 1 }, r, NOW)).toEqual({ nbf: 'token not valid yet' })
    expect(checkClaims({ exp: NOW + 1, nbf: NOW }, r, NOW)).toBeNull()
  })

  it('requires the verified claims to be numbers, one error per claim', () => {
    expect(checkClaims({ exp: '1' }, rules({ claims_to_verify: ['nbf', 'exp'] }), NOW)).toEqual({ nbf: 'must be a number', exp: 'must be a number' })
  })

  it('allows clock_skew seconds of leeway on exp and nbf', () => {
    const r = rules({ claims_to_verify: ['exp', 'nbf'], clock_skew: 30 })
    expect(checkClaims({ exp: NOW - 29, nbf: NOW + 30 }, r, NOW)).toBeNull()
    expect(checkClaims({ exp: NOW - 30, nbf: NOW + 31 }, r, NOW)).toEqual({ exp: 'token expired', nbf: 'token not valid yet' })
  })

  it('requires an allowed issuer and audience when configured', () => {
    const r = rules({ issuers: ['https://idp'], audiences: ['api'] })
    expect(checkClaims({ iss: 'https://idp', aud: 'api' }, r, NOW)).toBeNull()
    expect(checkClaims({ iss: 'https://idp', aud: ['web', 'api'] }, r, NOW)).toBeNull()
    expect(checkClaims({ iss: 'https://other', aud: ['web'] }, r, NOW)).toEqual({ iss: 'issuer not allowed', aud: 'audience not allowed' })
    expect(checkClaims({}, r, NOW)).toEqual({ iss: 'issuer not allowed', aud: 'audience not allowed' })
  })
})

describe('checkMaximumExpiration', () => {
  it('fails tokens living longer than the maximum and passes the rest', () => {
    expect(checkMaximumExpiration({ exp: NOW + 61 }, 60, NOW)).toEqual({ exp: 'exceeds maximum allowed expiration' })
    expect(checkMaximumExpiration({ exp: NOW + 60 }, 60, NOW)).toBeNull()
    expect(checkMaximumExpiration({}, 60, NOW)).toEqual({ exp: 'exceeds maximum allowed expiration' })
    expect(checkMaximumExpiration({}, 0, NOW)).toBeNull()
  })
})
