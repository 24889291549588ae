// Basic header parsing as Kong's retrieve_credentials: search patterns, strict base64, first ':' splits.
import { describe, expect, it } from 'vitest'
import { decodeBase64, parseBasic } from './credentials.ts'

const b64 = (s: string) => Buffer.from(s).toString('base64')

describe('parseBasic', () => {
  it('reads username and password, the password keeping every later colon and its spaces', () => {
    expect(parseBasic(`Basic ${b64('bob:pa:ss ')}`)).toEqual({ username: 'bob', password: 'pa:ss ' })
  })
  it('accepts lower-case basic, no space after it, and an empty password', () => {
    expect(parseBasic(`basic${b64('bob:')}`)).toEqual({ username: 'bob', password: '' })
  })
  it('skips leading colons in the decoded value, as Kong\'s unanchored match does', () => {
    expect(parseBasic(`Basic ${b64(':bob:pw')}`)).toEqual({ username: 'bob', password: 'pw' })
  })
  it('returns null without a colon, for another scheme, or for undecodable base64', () => {
    expect(parseBasic(`Basic ${b64('bobpw')}`)).toBeNull()
    expect(parseBasic('Bearer abc')).toBeNull()
    expect(parseBasic('Basic not*base64')).toBeNull()
    expect(parseBasic(undefined)).toBeNull()
  })
})

describe('decodeBase64', () => {
  it('decodes with or without padding and rejects impossible lengths', () => {
    expect(decodeBase64('Ym9i')).toBe('bob')
    expect(decodeBase64('Ym9iOg')).toBe('bob:')
    expect(decodeBase64('Ym9iOg==')).toBe('bob:')
    expect(decodeBase64('Ym9iO')).toBeUndefined()
  })
})
