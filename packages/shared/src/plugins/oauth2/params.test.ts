// Kong's redirect encoding (encode_args, decode_args, url.escape) and scope rules.
import { describe, expect, it } from 'vitest'
import { buildRedirect, decodeArgs, encodeArgs, escape, retrieveScope } from './params.ts'
import { schema } from './schema.ts'

const conf = (c: Record<string, unknown>) => schema.parse({ enable_authorization_code: true, ...c })

describe('oauth2 redirect encoding', () => {
  it('escapes every byte outside [A-Za-z0-9_] with lower-case hex, as LuaSocket does', () => {
    expect(escape('a b,c."d-é')).toBe('a%20b%2cc%2e%22d%2d%c3%a9')
  })

  it('sorts keys, encodes arrays with 1-based indexes and empty values as bare keys', () => {
    expect(encodeArgs({ state: 'x', code: 'c', list: ['a', 'b'], empty: '', none: undefined })).toBe('code=c&empty&list%5b1%5d=a&list%5b2%5d=b&state=x')
  })

  it('decodes bare keys as true and repeated keys as lists', () => {
    expect(decodeArgs('a=1&b&a=2&c=x+y%21')).toEqual({ a: ['1', '2'], b: true, c: 'x y!' })
  })

  it('merges new parameters over the registered query, new values winning', () => {
    expect(buildRedirect('http://google.test/kong?foo=bar&code=123', { code: 'abc' }, false)).toBe('http://google.test/kong?code=abc&foo=bar')
  })

  it('puts implicit-grant parameters in the fragment and keeps the query', () => {
    const uri = buildRedirect('http://google.test/kong?x=1', { access_token: 't', expires_in: 7200, token_type: 'bearer', state: 'wot' }, true)
    expect(uri).toBe('http://google.test/kong?x=1#access_token=t&expires_in=7200&state=wot&token_type=bearer')
  })

  it('encodes error descriptions as Kong does', () => {
    expect(buildRedirect('http://google.test/kong', { error: 'invalid_scope', error_description: 'You must specify a scope' }, false)).toBe(
      'http://google.test/kong?error=invalid_scope&error_description=You%20must%20specify%20a%20scope',
    )
  })
})

describe('oauth2 scope rules', () => {
  const scopes = ['email', 'profile']

  it('normalizes whitespace between requested scopes', () => {
    expect(retrieveScope({ scope: ' email   profile ' }, conf({ scopes }))).toEqual({ scope: 'email profile' })
  })

  it('names the first scope that is not offered', () => {
    expect(retrieveScope({ scope: 'email admin' }, conf({ scopes })).error).toEqual({ error: 'invalid_scope', error_description: '"admin" is an invalid scope' })
  })

  it('refuses a scope that is not a string', () => {
    expect(retrieveScope({ scope: ['email'] }, conf({ scopes })).error?.error_description).toBe('scope must be a string')
  })

  it('requires a scope when mandatory, but lets an empty one through (Kong quirk)', () => {
    expect(retrieveScope({}, conf({ scopes, mandatory_scope: true })).error?.error_description).toBe('You must specify a scope')
    expect(retrieveScope({ scope: '' }, conf({ scopes, mandatory_scope: true }))).toEqual({})
  })

  it('drops a requested scope silently when the plugin offers none', () => {
    expect(retrieveScope({ scope: 'anything' }, conf({}))).toEqual({})
  })
})
