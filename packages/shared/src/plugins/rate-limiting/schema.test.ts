// The rate-limiting config schema: Kong 3.9's defaults, checks and messages (spec 23-rate-limiting/01-schema).
import { describe, expect, it } from 'vitest'
import { issuesToFields } from '../../zod-kong.ts'
import { schema } from './schema.ts'

const errors = (config: unknown) => {
  const r = schema.safeParse(config)
  if (r.success) throw new Error('expected a violation')
  return issuesToFields(r.error.issues, ['config'])
}

describe('rate-limiting config schema', () => {
  it("fills in Kong 3.9's defaults", () => {
    expect(schema.parse({ second: 10 })).toEqual({
      second: 10, minute: null, hour: null, day: null, month: null, year: null,
      limit_by: 'consumer', header_name: null, path: null, policy: 'local', fault_tolerant: true,
      redis: { host: null, port: 6379, timeout: 2000, username: null, password: null, database: 0, ssl: false, ssl_verify: false, server_name: null },
      hide_client_headers: false, error_code: 429, error_message: 'API rate limit exceeded', sync_rate: -1,
    })
  })

  it('accepts every period, header and path configurations', () => {
    expect(schema.safeParse({ second: 10, minute: 20, hour: 30, day: 40, month: 50, year: 60 }).success).toBe(true)
    expect(schema.safeParse({ second: 10, limit_by: 'header', header_name: 'X-App-Version' }).success).toBe(true)
    expect(schema.safeParse({ second: 10, limit_by: 'path', path: '/request' }).success).toBe(true)
  })

  it('refuses a longer period with a lower limit, in Kong words', () => {
    expect(errors({ second: 20, hour: 10 })).toEqual({ config: 'The limit for hour(10.0) cannot be lower than the limit for second(20.0)' })
    expect(errors({ second: 10, minute: 20, hour: 30, day: 40, month: 60, year: 50 })).toEqual({ config: 'The limit for year(50.0) cannot be lower than the limit for month(60.0)' })
  })

  it('needs at least one limit', () => {
    expect(errors({})).toEqual({
      '@entity': ["at least one of these fields must be non-empty: 'config.second', 'config.minute', 'config.hour', 'config.day', 'config.month', 'config.year'"],
    })
  })

  it('needs header_name with limit_by header and path with limit_by path', () => {
    expect(errors({ second: 10, limit_by: 'header' })).toEqual({ config: { header_name: 'required field missing' } })
    expect(errors({ second: 10, limit_by: 'path' })).toEqual({ config: { path: 'required field missing' } })
  })

  it('refuses zero limits, unknown limit_by and policies, and bad paths', () => {
    expect(errors({ minute: 0 })).toEqual({ config: { minute: 'value must be greater than 0' } })
    expect(errors({ minute: 1, limit_by: 'consumer-group' })).toEqual({ config: { limit_by: 'expected one of: consumer, credential, ip, service, header, path' } })
    expect(errors({ minute: 1, policy: 'memcached' })).toEqual({ config: { policy: 'expected one of: local, cluster, redis' } })
    expect(errors({ minute: 1, limit_by: 'path', path: 'x' })).toEqual({ config: { path: 'should start with: /' } })
  })

  it('needs redis.host with the redis policy', () => {
    expect(errors({ second: 10, policy: 'redis', redis: { port: 6379 } })).toEqual({ config: { redis: { host: 'required field missing' } } })
  })

  it('allows sync_rate only with redis, and then at least 0.02', () => {
    expect(errors({ second: 10, sync_rate: 1 })).toEqual({ config: 'sync_rate can only be used with the redis policy' })
    expect(errors({ second: 10, policy: 'redis', redis: { host: 'localhost' }, sync_rate: 0.01 })).toEqual({ config: 'sync_rate must be greater than 0.02, or -1 to disable' })
    expect(schema.parse({ second: 10, policy: 'redis', redis: { host: 'localhost' }, sync_rate: 0.5 }).sync_rate).toBe(0.5)
  })

  it("moves Kong's deprecated redis_* shorthands into redis", () => {
    const c = schema.parse({ second: 10, policy: 'redis', redis_host: 'custom-host.example.test', redis_port: 55000, redis_username: 'u', redis_password: 'p', redis_database: 1, redis_timeout: 1100, redis_ssl: true, redis_ssl_verify: true, redis_server_name: 'example.test' })
    expect(c.redis).toEqual({ host: 'custom-host.example.test', port: 55000, timeout: 1100, username: 'u', password: 'p', database: 1, ssl: true, ssl_verify: true, server_name: 'example.test' })
    expect(c).not.toHaveProperty('redis_host')
  })

  it('refuses a redis host with a port and a server_name that is an address', () => {
    expect(errors({ second: 1, redis: { host: 'localhost:6379' } })).toEqual({ config: { redis: { host: 'must not have a port' } } })
    expect(errors({ second: 1, redis: { server_name: '10.0.0.1' } })).toEqual({ config: { redis: { server_name: 'must not be an IP' } } })
  })
})
