// Origin matching, ported from Kong's cors access spec table (spec/03-plugins/13-cors/01-access_spec.lua).
import { describe, expect, it } from 'vitest'
import { createTestContext, createWorld } from '../_introspection/test-context.ts'
import { normalizeOrigin } from './origins.ts'
import { schema } from './schema.ts'
import { compile, handler } from './handler.ts'

const ORIGINS = ['http://evil.test', 'http://foo.test', 'http://foo.test.evil.test', 'http://something.foo.test', 'http://evilfoo.test', 'http://foo.test:80', 'http://foo.test:8000', 'https://foo.test:8000', 'http://foo.test:90', 'http://foobtest', 'https://bar.test:1234']

// per origins config: the origins that are accepted (true = echoed as sent, string = that value); all others refused
const CASES: Array<[string[], Record<string, true | string>]> = [
  [['foo.test'], Object.fromEntries(ORIGINS.map((o) => [o, 'foo.test']))],
  [['https://bar.test:1234'], Object.fromEntries(ORIGINS.map((o) => [o, 'https://bar.test:1234']))],
  [['foo\\.test'], { 'http://foo.test': true, 'http://foo.test:80': 'http://foo.test', 'http://foo.test:8000': true, 'https://foo.test:8000': true, 'http://foo.test:90': true }],
  [['(.*[./])?foo\\.test'], { 'http://foo.test': true, 'http://something.foo.test': true, 'http://foo.test:80': 'http://foo.test', 'http://foo.test:8000': true, 'https://foo.test:8000': true, 'http://foo.test:90': true }],
  [['(.*[./])?foo\\.test:8000'], { 'http://foo.test:8000': true, 'https://foo.test:8000': true }],
  [['https://(.*[.])?foo\\.test:8000'], { 'https://foo.test:8000': true }],
  [['^http://(.*[.])?foo\\.test(:(80|90))?$'], { 'http://foo.test': true, 'http://something.foo.test': true, 'http://foo.test:80': 'http://foo.test', 'http://foo.test:90': true }],
  [['foo.test', 'bar.test'], {}],
  [['http://foo.test', 'https://bar.test:1234'], { 'http://foo.test': true, 'http://foo.test:80': 'http://foo.test', 'https://bar.test:1234': true }],
  [['bar.test', 'foo\\.test'], { 'http://foo.test': true, 'http://foo.test:80': 'http://foo.test', 'http://foo.test:8000': true, 'https://foo.test:8000': true, 'http://foo.test:90': true }],
  [['bar.test', '(.*\\.)?foo\\.test'], { 'http://foo.test': true, 'http://something.foo.test': true, 'http://foo.test:80': 'http://foo.test', 'http://foo.test:8000': true, 'https://foo.test:8000': true, 'http://foo.test:90': true }],
  [['bar.test', '(.*[./])?foo\\.test:8000'], { 'http://foo.test:8000': true, 'https://foo.test:8000': true }],
  [['bar.test', 'https://(.*\\.)?foo\\.test:8000'], { 'https://foo.test:8000': true }],
]

function preflight(origins: string[], origin: string) {
  const ctx = createTestContext(createWorld(), compile(schema.parse({ origins })), { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'GET' } })
  return handler.access!(ctx) as any
}

describe('cors origins (Kong table)', () => {
  for (const [origins, accepted] of CASES) {
    it(`answers preflights per origins ${JSON.stringify(origins)}`, () => {
      for (const origin of ORIGINS) {
        const exit = preflight(origins, origin)
        expect(exit.status).toBe(200)
        const want = accepted[origin]
        expect(exit.headers['access-control-allow-origin'], origin).toBe(want === undefined ? undefined : want === true ? origin : want)
        expect(exit.headers.vary).toBe('Origin')
      }
    })
  }
})

describe('normalizeOrigin', () => {
  it('drops default ports and keeps scheme, host and other ports', () => {
    expect(normalizeOrigin('http://a.test:80')).toEqual({ domain: 'http://a.test', host: 'a.test' })
    expect(normalizeOrigin('https://a.test:443/x')).toEqual({ domain: 'https://a.test', host: 'a.test' })
    expect(normalizeOrigin('https://a.test:80')).toEqual({ domain: 'https://a.test:80', host: 'a.test' })
  })
  it('keeps what has no host as it is', () => {
    expect(normalizeOrigin('example.test')).toEqual({ domain: 'example.test', host: 'example.test' })
    expect(normalizeOrigin('null')).toEqual({ domain: 'null', host: 'null' })
  })
})
