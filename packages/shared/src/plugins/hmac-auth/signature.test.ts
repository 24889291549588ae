// hmac-auth signing: Kong's Authorization pattern, signing string lines and order, MACs and Digest.
import { createHash, createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { digestMatches, parseHmacHeader, sign, signatureMatches, signingString } from './signature.ts'
import { parseHttpDate } from './http-date.ts'

const req = (headers: Record<string, string>) => ({ method: 'POST', uri: '/req?a=1', httpVersion: '1.1', header: (n: string) => headers[n.toLowerCase()] })

describe('parseHmacHeader', () => {
  it('reads the four parameters and splits headers on single spaces', () => {
    expect(parseHmacHeader('hmac username="bob", algorithm="hmac-sha256", headers="date request-line", signature="abc="')).toEqual({
      username: 'bob', algorithm: 'hmac-sha256', headers: ['date', 'request-line'], signature: 'abc=',
    })
    expect(parseHmacHeader('Hmac username="u",algorithm="a",headers="x  y",signature="s"')!.headers).toEqual(['x', '', 'y'])
  })
  it('returns null for other shapes', () => {
    expect(parseHmacHeader('Basic Ym9iOg==')).toBeNull()
    expect(parseHmacHeader('hmac username="bob", algorithm="hmac-sha1", signature="x"')).toBeNull()
    expect(parseHmacHeader(undefined)).toBeNull()
  })
})

describe('signingString', () => {
  it('joins "name: value" lines in the listed order, with request-line and @request-target', () => {
    const s = signingString(['date', 'request-line', '@request-target', 'X-Custom', 'absent'], req({ date: 'D', 'x-custom': 'v' }))
    expect(s).toBe('date: D\nPOST /req?a=1 HTTP/1.1\n@request-target: post /req?a=1\nX-Custom: v\nabsent:')
  })
})

describe('sign and compare', () => {
  it('computes every algorithm as a plain HMAC and compares the base64 signature', () => {
    for (const [alg, d] of [['hmac-sha1', 'sha1'], ['hmac-sha256', 'sha256'], ['hmac-sha384', 'sha384'], ['hmac-sha512', 'sha512']] as const) {
      const mac = sign(alg, 'secret', 'data')
      expect(mac.equals(createHmac(d, 'secret').update('data').digest())).toBe(true)
      expect(signatureMatches(mac.toString('base64'), mac)).toBe(true)
      expect(signatureMatches(mac.toString('base64').slice(1), mac)).toBe(false)
    }
    expect(signatureMatches('***', sign('hmac-sha1', 's', 'd'))).toBe(false)
  })
  it('checks Digest as SHA-256=<base64>, and no Digest only without a body', () => {
    const body = Buffer.from('{"a":1}')
    const good = 'SHA-256=' + createHash('sha256').update(body).digest('base64')
    expect(digestMatches(good, body)).toBe(true)
    expect(digestMatches(good.toLowerCase(), body)).toBe(false)
    expect(digestMatches(undefined, body)).toBe(false)
    expect(digestMatches(undefined, Buffer.alloc(0))).toBe(true)
  })
})

describe('parseHttpDate', () => {
  it('reads the three HTTP date formats', () => {
    const t = Date.UTC(1994, 10, 6, 8, 49, 37) / 1000
    expect(parseHttpDate('Sun, 06 Nov 1994 08:49:37 GMT')).toBe(t)
    expect(parseHttpDate('Sunday, 06-Nov-94 08:49:37 GMT')).toBe(t)
    expect(parseHttpDate('Sun Nov  6 08:49:37 1994')).toBe(t)
    expect(parseHttpDate(new Date(t * 1000).toUTCString())).toBe(t)
  })
  it('rejects impossible dates and other shapes', () => {
    expect(parseHttpDate('Sun, 31 Feb 1994 08:49:37 GMT')).toBeNull()
    expect(parseHttpDate('Sun, 29 Feb 1995 08:49:37 GMT')).toBeNull()
    expect(parseHttpDate('1994-11-06T08:49:37Z')).toBeNull()
    expect(parseHttpDate('Sun, 06 Nov 1994 25:49:37 GMT')).toBeNull()
  })
})
