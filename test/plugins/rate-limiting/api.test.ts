// rate-limiting through the admin API: defaults returned, Kong's schema violations (spec 23-rate-limiting/03-api).
import { rmSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startAdmin, type AdminProc } from '../../support/processes.ts'
import { AdminClient } from '../../support/admin-client.ts'

let admin: AdminProc
let api: AdminClient

beforeAll(async () => {
  admin = await startAdmin()
  api = new AdminClient(admin.url)
  expect((await api.post('/services', { name: 'svc', url: 'http://127.0.0.1:9' })).status).toBe(201)
})
afterAll(async () => {
  await admin?.stop()
  if (admin) rmSync(admin.prefix, { recursive: true, force: true })
})

describe('rate-limiting admin API', () => {
  it('creates an instance and returns the whole config with defaults, on Kong\'s default protocols', async () => {
    const r = await api.post('/services/svc/plugins', { name: 'rate-limiting', config: { minute: 10 } })
    expect(r.status).toBe(201)
    expect(r.body.config).toEqual({
      second: null, minute: 10, hour: null, day: null, month: null, year: null,
      limit_by: 'consumer', header_name: null, path: null, policy: 'local', fault_tolerant: true,
      redis: { host: null, port: 6379, timeout: 2000, username: null, password: null, database: 0, ssl: false, ssl_verify: false, server_name: null },
      hide_client_headers: false, error_code: 429, error_message: 'API rate limit exceeded', sync_rate: -1,
    })
    expect(r.body.protocols.sort()).toEqual(['grpc', 'grpcs', 'http', 'https'])
    expect((await api.delete(`/plugins/${r.body.id}`)).status).toBe(204)
  })

  it('refuses a config without any limit with at_least_one_of under @entity', async () => {
    const r = await api.post('/plugins', { name: 'rate-limiting', config: {} })
    expect(r.status).toBe(400)
    expect(r.body.name).toBe('schema violation')
    expect(r.body.fields['@entity']).toEqual([
      "at least one of these fields must be non-empty: 'config.second', 'config.minute', 'config.hour', 'config.day', 'config.month', 'config.year'",
    ])
  })

  it('refuses a lower limit on a longer period', async () => {
    const r = await api.post('/plugins', { name: 'rate-limiting', config: { second: 20, hour: 10 } })
    expect(r.status).toBe(400)
    expect(r.body.fields.config).toBe('The limit for hour(10.0) cannot be lower than the limit for second(20.0)')
  })

  it('needs redis.host for the redis policy and header_name for limit_by header', async () => {
    const redis = await api.post('/plugins', { name: 'rate-limiting', config: { second: 1, policy: 'redis' } })
    expect(redis.status).toBe(400)
    expect(redis.body.fields.config.redis.host).toBe('required field missing')
    const header = await api.post('/plugins', { name: 'rate-limiting', config: { second: 1, limit_by: 'header' } })
    expect(header.status).toBe(400)
    expect(header.body.fields.config.header_name).toBe('required field missing')
  })

  it("accepts Kong's deprecated redis_* fields into config.redis", async () => {
    const r = await api.post('/plugins', { name: 'rate-limiting', config: { minute: 100, policy: 'redis', redis_host: 'redis.example.test', redis_port: 55000, redis_database: 1, redis_timeout: 1100 } })
    expect(r.status).toBe(201)
    expect(r.body.config.redis).toMatchObject({ host: 'redis.example.test', port: 55000, database: 1, timeout: 1100 })
    expect((await api.delete(`/plugins/${r.body.id}`)).status).toBe(204)
  })

  it('describes its config at /schemas/plugins/rate-limiting', async () => {
    const r = await api.get('/schemas/plugins/rate-limiting')
    expect(r.status).toBe(200)
    expect(JSON.stringify(r.body)).toContain('fault_tolerant')
    expect(JSON.stringify(r.body)).toContain('server_name')
  })
})
