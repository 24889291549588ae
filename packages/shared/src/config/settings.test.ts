// Real-IP settings: Kong's defaults, CIDR trusted IPs, and the start-up error for a bad entry.
import { describe, expect, it } from 'vitest'
import { loadSettings } from './settings.ts'

describe('real-IP settings', () => {
  it('default to X-Real-IP, no recursion and nobody trusted', () => {
    const s = loadSettings({})
    expect(s.realIpHeader).toBe('X-Real-IP')
    expect(s.realIpRecursive).toBe(false)
    expect(s.trustedIps).toEqual([])
  })
  it('read KONG_TRUSTED_IPS with CIDR blocks, KONG_REAL_IP_HEADER and KONG_REAL_IP_RECURSIVE', () => {
    const s = loadSettings({ KONG_TRUSTED_IPS: '10.0.0.0/8, ::1, unix:', KONG_REAL_IP_HEADER: 'X-Forwarded-For', KONG_REAL_IP_RECURSIVE: 'on' })
    expect(s.trustedIps).toEqual(['10.0.0.0/8', '::1', 'unix:'])
    expect(s.realIpHeader).toBe('X-Forwarded-For')
    expect(s.realIpRecursive).toBe(true)
  })
  it('refuse a bad trusted address or recursion flag at start', () => {
    expect(() => loadSettings({ KONG_TRUSTED_IPS: '10.0.0.0/33', KONG_REAL_IP_RECURSIVE: 'yes' })).toThrow(/KONG_TRUSTED_IPS: invalid ip or cidr range[\s\S]*KONG_REAL_IP_RECURSIVE/)
  })
})
