// Real-IP decisions as nginx's realip module makes them for Kong: trust, header, recursion.
import { describe, expect, it } from 'vitest'
import { clientAddress } from './real-ip.ts'

const base = { trustedIps: ['127.0.0.1', '10.0.0.0/8'], realIpHeader: 'X-Real-IP', realIpRecursive: false }

describe('clientAddress', () => {
  it('ignores the header from an untrusted peer', () => {
    const a = clientAddress(base)
    expect(a.trusted('1.1.1.1')).toBe(false)
    expect(a.forwardedIp('1.1.1.1', { 'x-real-ip': '9.9.9.9' })).toBe('1.1.1.1')
  })
  it('takes X-Real-IP from a trusted peer', () => {
    expect(clientAddress(base).forwardedIp('127.0.0.1', { 'x-real-ip': '9.9.9.9' })).toBe('9.9.9.9')
  })
  it('keeps the peer when the header is absent or not an address', () => {
    const a = clientAddress(base)
    expect(a.forwardedIp('127.0.0.1', {})).toBe('127.0.0.1')
    expect(a.forwardedIp('127.0.0.1', { 'x-real-ip': 'garbage' })).toBe('127.0.0.1')
  })
  it('takes the right-most X-Forwarded-For address without recursion', () => {
    const a = clientAddress({ ...base, realIpHeader: 'X-Forwarded-For' })
    expect(a.forwardedIp('127.0.0.1', { 'x-forwarded-for': '1.1.1.1, 2.2.2.2, 10.0.0.5' })).toBe('10.0.0.5')
  })
  it('walks left past trusted addresses with recursion', () => {
    const a = clientAddress({ ...base, realIpHeader: 'X-Forwarded-For', realIpRecursive: true })
    expect(a.forwardedIp('127.0.0.1', { 'x-forwarded-for': '1.1.1.1, 2.2.2.2, 10.0.0.5' })).toBe('2.2.2.2')
    expect(a.forwardedIp('127.0.0.1', { 'x-forwarded-for': '10.0.0.7, 10.0.0.5' })).toBe('10.0.0.7')
  })
  it('accepts ports and bracketed IPv6 in the list', () => {
    const a = clientAddress({ ...base, realIpHeader: 'X-Forwarded-For' })
    expect(a.forwardedIp('127.0.0.1', { 'x-forwarded-for': '1.1.1.1:80' })).toBe('1.1.1.1')
    expect(a.forwardedIp('127.0.0.1', { 'x-forwarded-for': '[2001:db8::1]:443' })).toBe('2001:db8::1')
    expect(a.forwardedIp('127.0.0.1', { 'x-forwarded-for': '2001:db8::2' })).toBe('2001:db8::2')
  })
  it('trusts CIDR blocks and nobody without a list', () => {
    expect(clientAddress(base).trusted('10.2.3.4')).toBe(true)
    expect(clientAddress({ ...base, trustedIps: [] }).trusted('127.0.0.1')).toBe(false)
  })
})
