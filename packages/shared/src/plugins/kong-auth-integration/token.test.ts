// Where vechr's plugin finds the token: cookie first, then the header minus its first seven characters.
import { describe, expect, it } from 'vitest'
import { readCookie, readToken } from './token.ts'

describe('kong-auth-integration token', () => {
  it('reads a named cookie among others', () => {
    expect(readCookie('a=1; access-token=tok; b=2', 'access-token')).toBe('tok')
    expect(readCookie('a=1', 'access-token')).toBeUndefined()
    expect(readCookie('access-token=', 'access-token')).toBeUndefined()
  })
  it('prefers the cookie over the header', () => {
    expect(readToken('access-token=c', 'Bearer h', 'access-token')).toBe('c')
  })
  it('drops the first seven characters of the header whatever they are', () => {
    expect(readToken(undefined, 'Bearer abc', 'access-token')).toBe('abc')
    expect(readToken(undefined, 'Basic abcdefg', 'access-token')).toBe('bcdefg')
    expect(readToken(undefined, 'Bearer', 'access-token')).toBe('')
  })
  it('returns null when neither source is present', () => {
    expect(readToken(undefined, undefined, 'access-token')).toBeNull()
  })
})
