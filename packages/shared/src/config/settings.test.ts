// Settings: real-IP (Kong's defaults, CIDR trusted IPs) and KONG_PG_* (Kong's defaults, boolean spellings, refused values).
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

describe('Postgres settings', () => {
  it("defaults to Kong's values, with SQLite as the store", () => {
    const s = loadSettings({})
    expect(s.database).toBe('sqlite')
    expect(s.pg).toEqual({ host: '127.0.0.1', port: 5432, user: 'kong', password: undefined, database: 'kong', schema: undefined, ssl: false, sslVerify: false, timeout: 5000, poolSize: 256 })
  })

  it('reads every KONG_PG_* variable, booleans as on/off or true/false', () => {
    const s = loadSettings({
      KONG_DATABASE: 'postgres', KONG_PG_HOST: 'db.internal', KONG_PG_PORT: '6432', KONG_PG_USER: 'postern', KONG_PG_PASSWORD: 'pw',
      KONG_PG_DATABASE: 'gateway', KONG_PG_SCHEMA: 'edge', KONG_PG_SSL: 'on', KONG_PG_SSL_VERIFY: 'true', KONG_PG_TIMEOUT: '2500', KONG_PG_POOL_SIZE: '16',
    })
    expect(s.database).toBe('postgres')
    expect(s.pg).toEqual({ host: 'db.internal', port: 6432, user: 'postern', password: 'pw', database: 'gateway', schema: 'edge', ssl: true, sslVerify: true, timeout: 2500, poolSize: 16 })
  })

  it('refuses a bad port, a quoted-only schema name and an unknown database', () => {
    expect(() => loadSettings({ KONG_PG_PORT: '70000' })).toThrow(/KONG_PG_PORT/)
    expect(() => loadSettings({ KONG_PG_SCHEMA: 'Edge-1' })).toThrow(/KONG_PG_SCHEMA/)
    expect(() => loadSettings({ KONG_DATABASE: 'cassandra' })).toThrow(/KONG_DATABASE/)
  })
})
