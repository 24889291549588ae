import { describe, expect, it } from 'vitest'
import { hostWithoutPort, stripPortSuffix } from './headers.ts'

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
