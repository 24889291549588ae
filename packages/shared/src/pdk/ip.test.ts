// IP parsing and CIDR matching: Kong's ip_or_cidr validity cases and matcher edge cases for both families.
import { describe, expect, it } from 'vitest'
import { compileIpMatcher, isIpOrCidr, parseIp, parseIpv6 } from './ip.ts'

describe('isIpOrCidr', () => {
  it('accepts addresses and blocks of both families', () => {
    for (const s of ['127.0.0.1', '127.0.0.1/8', '0.0.0.0/0', '10.0.0.0/32', '::', '::1', '::/0', '::/1', '::/128', 'fe80::1%eth0', '2001:db8::/32', '::ffff:1.2.3.4', '1:2:3:4:5:6:7:8'])
      expect(isIpOrCidr(s), s).toBe(true)
  })
  it('rejects what Kong rejects', () => {
    for (const s of ['hello', '0.0.0.0/a', '0.0.0.0/-1', '0.0.0.0/33', '::/a', '::/-1', '::/129', '::1/129', '256.0.0.1', '1.2.3', '1:2:3:4:5:6:7:8:9', ':::', '1::2::3', '', '1.2.3.4/'])
      expect(isIpOrCidr(s), s).toBe(false)
  })
})

describe('parseIp', () => {
  it('parses IPv4 strictly', () => {
    expect(parseIp('255.255.255.255')).toEqual({ v: 4, w: 0xffffffff })
    expect(parseIp('0.0.0.0')).toEqual({ v: 4, w: 0 })
    for (const s of ['01.2.3.4', '1.2.3.4.5', '1..2.3', '1.2.3.', '.1.2.3', '1.2.3.256', '1.2.3.4 ', '1.2.3.a']) expect(parseIp(s), s).toBeNull()
  })
  it('turns an IPv4-mapped IPv6 address into its IPv4 address', () => {
    expect(parseIp('::ffff:127.0.0.1')).toEqual({ v: 4, w: 0x7f000001 })
  })
  it('expands :: in any position', () => {
    expect(parseIpv6('2001:db8::1')).toEqual([0x20010db8, 0, 0, 1])
    expect(parseIpv6('::2:3')).toEqual([0, 0, 0, 0x00020003])
    expect(parseIpv6('1::')).toEqual([0x00010000, 0, 0, 0])
  })
})

describe('compileIpMatcher', () => {
  it('matches exact IPv4 addresses and IPv4 blocks', () => {
    const m = compileIpMatcher(['127.0.0.2', '10.0.0.0/8', '192.168.1.128/25'])
    expect(m.match('127.0.0.2')).toBe(true)
    expect(m.match('127.0.0.3')).toBe(false)
    expect(m.match('10.255.1.1')).toBe(true)
    expect(m.match('192.168.1.200')).toBe(true)
    expect(m.match('192.168.1.1')).toBe(false)
    expect(m.match('::ffff:10.1.1.1')).toBe(true)
  })
  it('matches IPv6 blocks word by word', () => {
    const m = compileIpMatcher(['2001:db8::/33', '::1'])
    expect(m.match('2001:db8:7fff::1')).toBe(true)
    expect(m.match('2001:db8:8000::1')).toBe(false)
    expect(m.match('::1')).toBe(true)
    expect(m.match('::2')).toBe(false)
  })
  it('treats /0 as everything of its family only', () => {
    expect(compileIpMatcher(['0.0.0.0/0']).match('8.8.8.8')).toBe(true)
    expect(compileIpMatcher(['0.0.0.0/0']).match('2001::1')).toBe(false)
    expect(compileIpMatcher(['::/0']).match('2001::1')).toBe(true)
  })
  it('never matches what is not an address', () => {
    expect(compileIpMatcher(['0.0.0.0/0', '::/0']).match('unix:')).toBe(false)
  })
  it('throws on an invalid entry', () => {
    expect(() => compileIpMatcher(['nope'])).toThrow("invalid ip or cidr range: 'nope'")
  })
})
