// Admin API, plugins: CRUD with config defaults, config errors nested under `config`, scope uniqueness,
// protocol consistency, nested /consumers/{c}/plugins, /plugins/enabled and the /schemas endpoints.
import { describe, expect, it } from 'vitest'
import { expectSchemaViolation, listAll, useAdmin } from './support/admin-suite.ts'

const TESTER = './test/fixtures/plugins/admin-tester.ts'
const suite = useAdmin({ KONG_PLUGINS: `bundled,${TESTER}` })
const admin = () => suite.admin

const KEY_AUTH_DEFAULTS = {
  key_names: ['apikey'], hide_credentials: false, anonymous: null, key_in_header: true, key_in_query: true,
  key_in_body: false, run_on_preflight: true, realm: null,
}
const TESTER_DEFAULTS = { minute: null, policy: 'local', header_names: ['x-tester'], limits: { burst: 5, strict: false } }

describe('plugins', () => {
  it('creates a global plugin with every config default filled and the default protocols', async () => {
    const r = await admin().post('/plugins', { name: 'key-auth', instance_name: 'ka-global', config: { hide_credentials: true } })
    expect(r.status).toBe(201)
    expect(r.body).toMatchObject({
      name: 'key-auth', instance_name: 'ka-global', route: null, service: null, consumer: null, enabled: true, tags: null,
      protocols: ['grpc', 'grpcs', 'http', 'https'], config: { ...KEY_AUTH_DEFAULTS, hide_credentials: true },
    })
    expect((await admin().get('/plugins/ka-global')).body).toEqual(r.body)
    expect((await admin().get(`/plugins/${r.body.id}`)).body).toEqual(r.body)
    expect((await admin().delete('/plugins/ka-global')).status).toBe(204)
    expect((await admin().get('/plugins/ka-global')).status).toBe(404)
  })

  it('merges config field by field on PATCH and replaces arrays whole', async () => {
    const p = (await admin().post('/plugins', { name: 'admin-tester', instance_name: 'merge', config: { header_names: ['a', 'b'], limits: { burst: 9 } } })).body
    expect(p.config).toEqual({ ...TESTER_DEFAULTS, header_names: ['a', 'b'], limits: { burst: 9, strict: false } })
    const r = await admin().patch('/plugins/merge', { config: { limits: { strict: true }, header_names: ['c'] } })
    expect(r.status).toBe(200)
    expect(r.body.config).toEqual({ ...TESTER_DEFAULTS, header_names: ['c'], limits: { burst: 9, strict: true } })
  })

  it('upserts with PUT by id and by instance_name, resetting config to defaults', async () => {
    const s = (await admin().post('/services', { host: 'put.test' })).body
    const id = 'a1b2c3d4-0000-4000-8000-0000000000a1'
    const byId = await admin().put(`/plugins/${id}`, { name: 'admin-tester', service: { id: s.id }, config: { minute: 10 } })
    expect(byId.status).toBe(200)
    expect(byId.body).toMatchObject({ id, service: { id: s.id }, config: { ...TESTER_DEFAULTS, minute: 10 } })
    const again = await admin().put(`/plugins/${id}`, { name: 'admin-tester', service: { id: s.id } })
    expect(again.body).toMatchObject({ id, config: TESTER_DEFAULTS })
    const c = (await admin().post('/consumers', { username: 'put-inst-owner' })).body
    const created = await admin().put('/plugins/put-inst', { name: 'admin-tester', consumer: { id: c.id }, config: { policy: 'cluster' } })
    expect(created.status).toBe(200)
    expect(created.body).toMatchObject({ instance_name: 'put-inst', consumer: { id: c.id }, config: { ...TESTER_DEFAULTS, policy: 'cluster' } })
    const replaced = await admin().put('/plugins/put-inst', { name: 'admin-tester', consumer: { id: c.id } })
    expect(replaced.body).toMatchObject({ id: created.body.id, config: TESTER_DEFAULTS })
  })

  it('lists and paginates plugins', async () => {
    const svcs = await Promise.all([1, 2, 3].map((i) => admin().post('/services', { host: 'p.test', name: `pl-page-${i}` })))
    for (const s of svcs) await admin().post(`/services/${s.body.id}/plugins`, { name: 'key-auth', tags: ['pl-page'] })
    const p1 = await admin().get('/plugins?tags=pl-page&size=2')
    expect(p1.body.data).toHaveLength(2)
    expect((await admin().get(p1.body.next)).body.data).toHaveLength(1)
    expect(await listAll(admin(), '/plugins?tags=pl-page')).toHaveLength(3)
  })

  it('reports a missing or unknown plugin name', async () => {
    expectSchemaViolation(await admin().post('/plugins', {}), { name: 'required field missing' }, 'schema violation (name: required field missing)')
    const msg = "plugin 'nope' not enabled; add it to the 'plugins' configuration property"
    expectSchemaViolation(await admin().post('/plugins', { name: 'nope' }), { name: msg }, `schema violation (name: ${msg})`)
  })

  it('nests config errors under config with Kong messages', async () => {
    expectSchemaViolation(await admin().post('/plugins', { name: 'key-auth', config: { foo: 'bar' } }), { config: { foo: 'unknown field' } }, 'schema violation (config.foo: unknown field)')
    expectSchemaViolation(await admin().post('/plugins', { name: 'key-auth', config: 'bar' }), { config: 'expected a record' }, 'schema violation (config: expected a record)')
    expectSchemaViolation(
      await admin().post('/plugins', { name: 'admin-tester', config: { minute: '5', policy: 'x' } }),
      { config: { minute: 'expected a number', policy: 'expected one of: local, cluster' } },
      '2 schema violations (config.minute: expected a number; config.policy: expected one of: local, cluster)',
    )
    expectSchemaViolation(
      await admin().post('/plugins', { name: 'admin-tester', config: { limits: { burst: 1.5 } } }),
      { config: { limits: { burst: 'expected an integer' } } },
      'schema violation (config.limits: {\n  burst = "expected an integer"\n})',
    )
  })

  it('allows one instance per plugin name and scope (409 with the scope in the message)', async () => {
    const r = (await admin().post('/routes', { paths: ['/uniq'] })).body
    expect((await admin().post(`/routes/${r.id}/plugins`, { name: 'key-auth' })).status).toBe(201)
    const dup = await admin().post('/plugins', { name: 'key-auth', route: { id: r.id } })
    expect(dup.status).toBe(409)
    expect(dup.body).toEqual({
      code: 5, name: 'unique constraint violation',
      message: `UNIQUE violation detected on '{consumer=null,name="key-auth",route={id="${r.id}"},service=null}'`,
      fields: { consumer: null, name: 'key-auth', route: { id: r.id }, service: null },
    })
  })

  it('requires explicit protocols to match the route or the service routes', async () => {
    const r = (await admin().post('/routes', { paths: ['/proto'], protocols: ['http'] })).body
    expectSchemaViolation(await admin().post('/plugins', { name: 'admin-tester', route: { id: r.id }, protocols: ['grpc'] }), { protocols: "must match the associated route's protocols" })
    const s = (await admin().post('/services', { host: 'proto.test' })).body
    await admin().post(`/services/${s.id}/routes`, { paths: ['/proto-s'], protocols: ['https'] })
    expectSchemaViolation(await admin().post(`/services/${s.id}/plugins`, { name: 'admin-tester', protocols: ['http'] }), {
      protocols: "must match the protocols of at least one route pointing to this Plugin's service",
    })
    expect((await admin().post(`/services/${s.id}/plugins`, { name: 'admin-tester', protocols: ['https'] })).status).toBe(201)
  })

  it('serves plugins nested under a consumer and the scope entities of a plugin', async () => {
    const c = (await admin().post('/consumers', { username: 'pl-consumer' })).body
    const p = await admin().post('/consumers/pl-consumer/plugins', { name: 'admin-tester', consumer: null })
    expect(p.status).toBe(201)
    expect(p.body.consumer).toEqual({ id: c.id })
    expect((await admin().get('/consumers/pl-consumer/plugins')).body).toEqual({ data: [p.body], next: null })
    expect((await admin().get(`/plugins/${p.body.id}/consumer`)).body).toEqual(c)
    expect((await admin().get(`/plugins/${p.body.id}/route`)).status).toBe(404)
    const patched = await admin().patch(`/consumers/pl-consumer/plugins/${p.body.id}`, { config: { minute: 3 } })
    expect(patched.body.config.minute).toBe(3)
    expect((await admin().delete(`/consumers/pl-consumer/plugins/${p.body.id}`)).status).toBe(204)
  })

  it('lists the loaded plugins at /plugins/enabled and the ones in use at /', async () => {
    const enabled = await admin().get('/plugins/enabled')
    expect(enabled.body.enabled_plugins).toEqual(expect.arrayContaining(['admin-tester', 'key-auth']))
    expect(enabled.body.enabled_plugins).not.toContain(TESTER)
    const root = await admin().get('/')
    expect(root.body.plugins.available_on_server['key-auth']).toEqual({ version: expect.any(String), priority: 1250 })
    expect(root.body.plugins.enabled_in_cluster).toEqual(expect.arrayContaining(['key-auth', 'admin-tester']))
  })
})

describe('schemas', () => {
  it('describes a plugin config schema at /schemas/plugins/{name} and 404s an unknown one', async () => {
    const r = await admin().get('/schemas/plugins/key-auth')
    expect(r.status).toBe(200)
    const config = r.body.fields.find((f: any) => f.config)?.config
    expect(config.type).toBe('record')
    expect(config.fields).toContainEqual({ key_names: expect.objectContaining({ type: 'array', default: ['apikey'] }) })
    expect(r.body.fields.map((f: any) => Object.keys(f)[0])).toEqual(expect.arrayContaining(['name', 'route', 'service', 'consumer', 'protocols']))
    const missing = await admin().get('/schemas/plugins/nope')
    expect(missing.status).toBe(404)
    expect(missing.body).toEqual({ message: "No plugin named 'nope'" })
  })

  it('describes each entity at /schemas/{entity} and 404s an unknown one', async () => {
    for (const e of ['services', 'routes', 'consumers', 'plugins']) {
      const r = await admin().get(`/schemas/${e}`)
      expect(r.status, e).toBe(200)
      expect(r.body.fields[0]).toEqual({ id: expect.objectContaining({ type: 'string', uuid: true, auto: true }) })
    }
    const svc = (await admin().get('/schemas/services')).body.fields
    expect(svc).toContainEqual({ port: expect.objectContaining({ type: 'integer', default: 80 }) })
    expect((await admin().get('/schemas/nope')).body).toEqual({ message: "No entity named 'nope'" })
  })

  it('validates without storing at /schemas/{entity}/validate and /schemas/plugins/validate', async () => {
    const before = (await admin().get('/status')).body.configuration_version
    const ok = await admin().post('/schemas/services/validate', { host: 'v.test', name: 'validated-only' })
    expect(ok.status).toBe(200)
    expect(ok.body).toEqual({ message: 'schema validation successful' })
    expectSchemaViolation(await admin().post('/schemas/services/validate', { port: 'x' }), { host: 'required field missing', port: 'expected an integer' })
    expect((await admin().post('/schemas/plugins/validate', { name: 'key-auth' })).status).toBe(200)
    expectSchemaViolation(await admin().post('/schemas/plugins/validate', { name: 'key-auth', config: { foo: 1 } }), { config: { foo: 'unknown field' } })
    expect((await admin().get('/services/validated-only')).status).toBe(404)
    expect((await admin().get('/status')).body.configuration_version).toBe(before)
  })
})
