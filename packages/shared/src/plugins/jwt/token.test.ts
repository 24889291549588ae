// Finding the token: Kong's lookup order and set semantics, and hide_credentials.
import { describe, expect, it } from 'vitest'
import { bearerToken, findToken, hideToken } from './token.ts'

const CONF = { uri_param_names: ['jwt'], cookie_names: ['session'], header_names: ['authorization', 'x-token'] }
const req = (rawQuery = '', headers: Record<string, string | string[]> = {}) => ({ rawQuery, headers })

describe('findToken', () => {
  it('finds nothing when no source carries a token', () => {
    expect(findToken(CONF, req())).toEqual({ kind: 'none' })
  })

  it('reads the first occurrence of a repeated token header, as Kong does (node joins them with ", ")', () => {
    expect(findToken(CONF, req('', { 'x-token': 'Bearer first.jwt.x, Bearer other-token' }))).toMatchObject({ kind: 'token', token: 'first.jwt.x' })
    expect(findToken(CONF, req('', { 'x-token': ['Bearer first.jwt.x', 'Bearer other-token'] }))).toMatchObject({ kind: 'token', token: 'first.jwt.x' })
  })

  it('takes the token from the query, a cookie or a Bearer header', () => {
    expect(findToken(CONF, req('jwt=abc'))).toMatchObject({ kind: 'token', token: 'abc' })
    expect(findToken(CONF, req('', { cookie: 'a=1; session=abc' }))).toMatchObject({ kind: 'token', token: 'abc' })
    expect(findToken(CONF, req('', { authorization: 'Bearer abc' }))).toMatchObject({ kind: 'token', token: 'abc' })
    expect(findToken(CONF, req('', { 'x-token': 'bearer abc' }))).toMatchObject({ kind: 'token', token: 'abc' })
  })

  it('counts the same token in several places once', () => {
    const f = findToken(CONF, req('jwt=abc', { authorization: 'Bearer abc', cookie: 'session=abc' }))
    expect(f).toEqual({ kind: 'token', token: 'abc', where: { params: ['jwt'], cookies: ['session'], headers: ['authorization'] } })
  })

  it('reports different tokens as multiple, including a repeated query parameter', () => {
    expect(findToken(CONF, req('jwt=abc', { authorization: 'Bearer def' }))).toEqual({ kind: 'multiple' })
    expect(findToken(CONF, req('jwt=abc&jwt=def'))).toEqual({ kind: 'multiple' })
  })

  it('ignores empty query values and cookies', () => {
    expect(findToken(CONF, req('jwt=&x=1', { cookie: 'session=' }))).toEqual({ kind: 'none' })
  })

  it('treats a bare ?jwt flag as an unrecognizable token, as Kong does', () => {
    expect(findToken(CONF, req('jwt'))).toEqual({ kind: 'unrecognizable' })
  })

  it('ignores headers without a Bearer scheme and BEARER in capitals', () => {
    expect(findToken(CONF, req('', { authorization: 'Basic abc' }))).toEqual({ kind: 'none' })
    expect(findToken(CONF, req('', { authorization: 'abc' }))).toEqual({ kind: 'none' })
    expect(findToken(CONF, req('', { authorization: 'BEARER abc' }))).toEqual({ kind: 'none' })
  })

  it('tolerates text before Bearer because Kong pattern is not anchored', () => {
    expect(findToken(CONF, req('', { authorization: '  xBearer abc' }))).toMatchObject({ kind: 'token', token: 'abc' })
  })

  it('decodes percent-encoded query values', () => {
    expect(findToken(CONF, req('jwt=a%2Eb'))).toMatchObject({ kind: 'token', token: 'a.b' })
  })
})

describe('bearerToken', () => {
  // Kong's pattern, as the slow path runs it: the fast path must give the same capture for every value
  const KONG = /\s*[Bb]earer\s+(.+)/
  const values = [
    'Bearer abc', 'bearer abc', 'Bearer  abc', 'Bearer \tabc', 'Bearer ', 'Bearer  ', 'Bearer', 'Bearerabc', 'BEARER abc',
    'Bearer a b', 'Bearer abc\ndef', 'Bearer abc\r', 'Bearer \u2028abc', 'Bearer ab\u2029c', 'Bearer \u00a0abc', 'Bearer a\u00a0',
    ' Bearer abc', 'xBearer abc', 'Basic abc, Bearer def', 'Bearer\tabc', 'bearer ' + 'x'.repeat(600), '', 'B', 'Bear',
  ]
  it.each(values)('gives Kong pattern capture for %j', (v) => {
    expect(bearerToken(v)).toBe(KONG.exec(v)?.[1])
  })
})

describe('hideToken', () => {
  function upstream(headers: Record<string, string>) {
    const h = { ...headers }
    let query: string | null = null
    return {
      h,
      query: () => query,
      api: {
        setHeader: (n: string, v: string) => void (h[n] = v),
        clearHeader: (n: string) => void delete h[n],
        getHeader: (n: string) => h[n],
        setRawQuery: (q: string) => void (query = q),
        setBody: () => {},
        addHeader: () => {},
        getRawQuery: () => query ?? '',
        setMethod: () => {},
        setPath: () => {},
      },
    }
  }

  it('removes the token from the query, the cookie and the header and keeps the rest', () => {
    const r = req('a=1&jwt=abc&b=2', { authorization: 'Bearer abc', cookie: 'x=1; session=abc; y=2' })
    const f = findToken(CONF, r)
    if (f.kind !== 'token') throw new Error('no token')
    const up = upstream({ authorization: 'Bearer abc', cookie: 'x=1; session=abc; y=2' })
    hideToken(f, r, up.api)
    expect(up.query()).toBe('a=1&b=2')
    expect(up.h).toEqual({ cookie: 'x=1; y=2' })
  })

  it('drops the cookie header when the token was the only cookie', () => {
    const r = req('', { cookie: 'session=abc' })
    const f = findToken(CONF, r)
    if (f.kind !== 'token') throw new Error('no token')
    const up = upstream({ cookie: 'session=abc' })
    hideToken(f, r, up.api)
    expect(up.h).toEqual({})
    expect(up.query()).toBeNull()
  })
})
