// The response headers built straight from undici's raw list equal undici's parse followed by the hop-by-hop copy.
import { describe, expect, it } from 'vitest'
import { copyResponseHeaders, responseHeadersFromRaw } from './hop-by-hop.ts'
import { parseHeaders } from './undici.ts'

const raw = (...pairs: string[]) => pairs.map((s) => Buffer.from(s, 'latin1'))
const viaParse = (r: Buffer[], te?: string) => copyResponseHeaders(parseHeaders(r) as Record<string, string | string[]>, te)

describe('responseHeadersFromRaw', () => {
  const cases: Array<[string, Buffer[], string | undefined]> = [
    ['plain', raw('Content-Type', 'text/plain', 'Content-Length', '5', 'Date', 'x'), undefined],
    ['hop-by-hop dropped', raw('Connection', 'keep-alive', 'Keep-Alive', 'timeout=5', 'Transfer-Encoding', 'chunked', 'Proxy-Connection', 'x', 'Upgrade', 'h2c', 'X-A', '1'), undefined],
    ['repeated names gathered', raw('Set-Cookie', 'a=1', 'set-cookie', 'b=2', 'SET-COOKIE', 'c=3', 'X-Custom-Name', 'v'), undefined],
    ['Connection naming other headers', raw('Connection', 'X-Secret, close', 'X-Secret', 's', 'X-Kept', 'k'), undefined],
    ['two Connection headers', raw('Connection', 'keep-alive', 'Connection', 'X-Drop', 'X-Drop', 'd', 'X-Kept', 'k'), undefined],
    ['Trailer without TE: trailers', raw('Trailer', 'X-Checksum', 'X-A', '1'), undefined],
    ['Trailer with TE: trailers', raw('Trailer', 'X-Checksum', 'X-A', '1'), 'trailers'],
    ['non-ASCII values (latin1, as undici)', raw('X-Name', Buffer.from('café', 'utf8').toString('latin1')), undefined],
    ['Object.prototype names', raw('Constructor', 'c', 'toString', 't', 'X-A', '1', 'constructor', 'd'), undefined],
    ['empty', [], undefined],
  ]
  for (const [name, r, te] of cases) {
    it(name, () => {
      const got = responseHeadersFromRaw(r, te)
      expect(got).toEqual(viaParse(r, te))
      expect(Object.keys(got)).toEqual(Object.keys(viaParse(r, te)))
    })
  }

  it('drops what Connection names and keeps the rest', () => {
    expect(responseHeadersFromRaw(raw('Connection', 'X-Secret', 'X-Secret', 's', 'X-Kept', 'k'), undefined)).toEqual({ 'x-kept': 'k' })
    expect(responseHeadersFromRaw(raw('Set-Cookie', 'a=1', 'Set-Cookie', 'b=2'), undefined)).toEqual({ 'set-cookie': ['a=1', 'b=2'] })
  })

  it('keeps a `__proto__` header as an own header, without touching the prototype', () => {
    const h = responseHeadersFromRaw(raw('__proto__', 'x', 'X-A', '1'), undefined)
    expect(Object.getPrototypeOf(h)).toBe(Object.prototype)
    expect(Object.keys(h)).toEqual(['__proto__', 'x-a'])
    expect(Object.getOwnPropertyDescriptor(h, '__proto__')?.value).toBe('x')
  })
})
