// Decoding tokens with Kong's failure reasons.
import { describe, expect, it } from 'vitest'
import { decodeBase64url, parseToken } from './parse.ts'
import { encodeSegment as seg, signToken, withSegment } from './testing.ts'

const good = signToken('HS256', { iss: 'k' }, 'secret')

describe('parseToken', () => {
  it('returns the header and claims of a well-formed token', () => {
    expect(parseToken(good)).toEqual({ header: { typ: 'JWT', alg: 'HS256' }, claims: { iss: 'k' } })
  })

  it('says invalid JSON for fewer than three parts, bad base64url or non-JSON segments', () => {
    expect(parseToken('abc')).toBe('invalid JSON')
    expect(parseToken('abc.def')).toBe('invalid JSON')
    expect(parseToken(withSegment(good, 0, seg('{nope')))).toBe('invalid JSON')
    expect(parseToken(withSegment(good, 1, 'a+b/'))).toBe('invalid JSON')
    expect(parseToken(withSegment(good, 1, seg('[1,2]')))).toBe('invalid JSON')
  })

  it('says invalid alg for a missing, unknown or none alg', () => {
    expect(parseToken(withSegment(good, 0, seg({ typ: 'JWT' })))).toBe('invalid alg')
    expect(parseToken(withSegment(good, 0, seg({ alg: 'none' })))).toBe('invalid alg')
    expect(parseToken(withSegment(good, 0, seg({ alg: 'HS1' })))).toBe('invalid alg')
    expect(parseToken(withSegment(good, 0, seg({ alg: 256 })))).toBe('invalid alg')
    expect(parseToken(withSegment(good, 0, seg('"HS256"')))).toBe('invalid alg')
  })

  it('says invalid signature when the signature segment is not base64url or a fourth part follows', () => {
    expect(parseToken(withSegment(good, 2, 'a+b/'))).toBe('invalid signature')
    expect(parseToken(good + '.extra')).toBe('invalid signature')
  })

  it('accepts an empty signature segment for the signature check to reject later', () => {
    expect(parseToken(withSegment(good, 2, ''))).toMatchObject({ claims: { iss: 'k' } })
  })
})

describe('decodeBase64url', () => {
  it('accepts missing or present padding and rejects the standard alphabet and impossible lengths', () => {
    expect(decodeBase64url('YQ')?.toString()).toBe('a')
    expect(decodeBase64url('YQ==')?.toString()).toBe('a')
    expect(decodeBase64url('a+')).toBeNull()
    expect(decodeBase64url('abcde')).toBeNull()
  })
})
