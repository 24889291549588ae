import { describe, expect, it } from 'vitest'
import { escapePath, hostWithoutPort, lowerCased, stripPortSuffix } from './headers.ts'

describe('hostWithoutPort (X-Forwarded-Host)', () => {
  it('drops a numeric port and lower-cases, as Kong does', () => {
    expect(hostWithoutPort('Example.COM:8000')).toBe('example.com')
    expect(hostWithoutPort('example.com')).toBe('example.com')
    expect(hostWithoutPort('h1.bench.test:80')).toBe('h1.bench.test')
  })
  it('keeps what is not a port, and IPv6 literals up to their bracket', () => {
    expect(hostWithoutPort('example.com:')).toBe('example.com:')
    expect(hostWithoutPort('example.com:80a')).toBe('example.com:80a')
    expect(hostWithoutPort('[::1]:8000')).toBe('[::1]')
    expect(hostWithoutPort(':8000')).toBe(':8000')
  })
})

describe('stripPortSuffix', () => {
  it.each(['example.com:8000', 'example.com', 'example.com:', ':80', '80', '', '[::1]:8000', '[::1]', 'a:b:12', 'host:12x', 'h:0'])('removes what /:\\d+$/ removes from %j', (h) => {
    expect(stripPortSuffix(h)).toBe(h.replace(/:\d+$/, ''))
  })
})

describe('escapePath (the upstream request line)', () => {
  // the rule as a regex over RFC 3986's sets, which the table-driven scan must match
  const SAFE = /^[A-Za-z0-9\-._~!#$&'()*+,/:;=?@[\]%]$/
  const byRegex = (p: string) => [...p].map((ch) => (SAFE.test(ch) ? ch : [...Buffer.from(ch, 'utf8')].map((b) => '%' + b.toString(16).toUpperCase().padStart(2, '0')).join(''))).join('')
  it.each(['/plain/hello', '/', '', "/a-b._~!$&'()*+,;=:@/x%41", '/a b', '/caf\u00e9', '/\u{1F600}/x', '/a"b<c>d\\e^f`g{h|i}j', '/\u0000\u001f\u007f', '/\ud800x'])('%j', (p) => {
    expect(escapePath(p)).toBe(byRegex(p))
  })
  it('hands back a path with nothing to escape as it is', () => {
    expect(escapePath('/plain/hello')).toBe('/plain/hello')
    expect(escapePath('/caf\u00e9')).toBe('/caf%C3%A9')
  })
})

describe('lowerCased (PDK header names)', () => {
  it('is toLowerCase for every name, and the same string when it is lower-case ASCII already', () => {
    const names = ['x-consumer-id', 'X-Consumer-ID', 'Content-Type', 'apikey', '', 'a', 'Z', '@[`{', 'x_under_score', 'İstanbul', 'STRASSE', 'ǅ', 'ß', 'ÄÖÜ', 'Ω-Header', '\u0130', 'é', 'x-\u00ff', 'x-😀', 'X-😀']
    for (const n of names) expect(lowerCased(n), n).toBe(n.toLowerCase())
    for (let c = 0; c < 0x250; c++) expect(lowerCased(`h${String.fromCharCode(c)}`)).toBe(`h${String.fromCharCode(c)}`.toLowerCase())
  })
})
