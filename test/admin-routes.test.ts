// Admin API, routes: CRUD, pagination, foreign keys (code 4 and 13), the per-protocol subschemas,
// /routes/{r}/service and /routes/{r}/plugins.
import { describe, expect, it } from 'vitest'
import { UNKNOWN_ID, expectSchemaViolation, listAll, useAdmin } from './support/admin-suite.ts'

const suite = useAdmin()
const admin = () => suite.admin

const ROUTE_DEFAULTS = {
  protocols: ['http', 'https'], methods: null, hosts: null, headers: null, snis: null, sources: null, destinations: null,
  https_redirect_status_code: 426, regex_priority: 0, strip_path: true, path_handling: 'v0', preserve_host: false,
  request_buffering: true, response_buffering: true, tags: null, service: null,
}

describe('routes', () => {
  it('creates a route with 201 and every default; a route without a service is valid', async () => {
    const r = await admin().post('/routes', { paths: ['/create'] })
    expect(r.status).toBe(201)
    expect(r.body).toMatchObject({ ...ROUTE_DEFAULTS, name: null, paths: ['/create'] })
  })

  it('reads by id and name, updates with PATCH and deletes', async () => {
    const r = (await admin().post('/routes', { name: 'rt-crud', paths: ['/crud'], methods: ['GET', 'GET', 'POST'] })).body
    expect(r.methods).toEqual(['GET', 'POST'])
    expect((await admin().get('/routes/rt-crud')).body).toEqual(r)
    expect((await admin().get(`/routes/${r.id}`)).body).toEqual(r)
    const p = await admin().patch('/routes/rt-crud', { hosts: ['a.test', 'a.test'], strip_path: false })
    expect(p.body).toMatchObject({ hosts: ['a.test', 'a.test'], strip_path: false, paths: ['/crud'], methods: ['GET', 'POST'] })
    expect((await admin().delete('/routes/rt-crud')).status).toBe(204)
    expect((await admin().get('/routes/rt-crud')).body).toEqual({ message: 'Not found' })
  })

  it('upserts with PUT by name and by id', async () => {
    const byName = await admin().put('/routes/rt-put', { paths: ['/put'] })
    expect(byName.status).toBe(200)
    expect(byName.body).toMatchObject({ name: 'rt-put', paths: ['/put'] })
    const again = await admin().put('/routes/rt-put', { hosts: ['put.test'] })
    expect(again.body).toMatchObject({ id: byName.body.id, hosts: ['put.test'], paths: null })
    const id = 'a1b2c3d4-0000-4000-8000-0000000000a1'
    const byId = await admin().put(`/routes/${id}`, { paths: ['/putid'] })
    expect(byId.status).toBe(200)
    expect(byId.body).toMatchObject({ id, name: null })
  })

  it('paginates routes with size, offset and next', async () => {
    for (let i = 0; i < 3; i++) await admin().post('/routes', { paths: [`/pg${i}`], tags: ['rt-page'] })
    const p1 = await admin().get('/routes?tags=rt-page&size=2')
    expect(p1.body.data).toHaveLength(2)
    const p2 = await admin().get(p1.body.next)
    expect(p2.body.data).toHaveLength(1)
    expect(p2.body.next).toBeNull()
    expect((await listAll(admin(), '/routes?tags=rt-page')).map((r) => r.id)).toEqual([...p1.body.data, ...p2.body.data].map((r: any) => r.id))
  })

  it('rejects a service id that does not exist with code 4', async () => {
    const r = await admin().post('/routes', { paths: ['/fk'], service: { id: UNKNOWN_ID } })
    expect(r.status).toBe(400)
    expect(r.body).toEqual({
      code: 4, name: 'foreign key violation',
      message: `the foreign key '{id="${UNKNOWN_ID}"}' does not reference an existing 'services' entity.`,
      fields: { service: { id: UNKNOWN_ID } },
    })
  })

  it('resolves a service given by name, and rejects an unknown name with code 13', async () => {
    const s = (await admin().post('/services', { name: 'rt-svc', host: 'x.test' })).body
    const ok = await admin().post('/routes', { paths: ['/byname'], service: { name: 'rt-svc' } })
    expect(ok.status).toBe(201)
    expect(ok.body.service).toEqual({ id: s.id })
    const bad = await admin().post('/routes', { paths: ['/byname'], service: { name: 'nope' } })
    const msg = `the foreign key cannot be resolved with '{name="nope"}' for an existing 'services' entity`
    expect(bad.status).toBe(400)
    expect(bad.body).toEqual({ code: 13, name: 'foreign keys unresolved', message: `foreign key unresolved (service.name: ${msg})`, fields: { service: { name: msg } } })
    expectSchemaViolation(await admin().post('/routes', { paths: ['/x'], service: { name: null } }), { service: { id: 'missing primary key' } })
  })

  it('detaches a service with PATCH service: null', async () => {
    await admin().post('/services', { name: 'rt-detach', host: 'x.test' })
    const r = (await admin().post('/services/rt-detach/routes', { paths: ['/detach'] })).body
    expect((await admin().patch(`/routes/${r.id}`, { service: null })).body.service).toBeNull()
  })

  it('requires a matching attribute for http routes', async () => {
    const msg = "must set one of 'methods', 'hosts', 'headers', 'paths', 'snis' when 'protocols' is 'https'"
    expectSchemaViolation(await admin().post('/routes', {}), { '@entity': [msg] }, `schema violation (${msg})`)
    const http = "must set one of 'methods', 'hosts', 'headers', 'paths' when 'protocols' is 'http'"
    expectSchemaViolation(await admin().post('/routes', { protocols: ['http'] }), { '@entity': [http] })
  })

  it('validates each path, host and method in place with 1-based positions in the message', async () => {
    expectSchemaViolation(
      await admin().post('/routes', { paths: ['/ok', 'nope', '/a//b'] }),
      { paths: [null, 'should start with: / (fixed path) or ~/ (regex path)', 'must not have empty segments'] },
      '2 schema violations (paths.2: should start with: / (fixed path) or ~/ (regex path); paths.3: must not have empty segments)',
    )
    expectSchemaViolation(await admin().post('/routes', { paths: ['/a/../b'] }), { paths: ["non-normalized path, consider use '/b' instead"] })
    expectSchemaViolation(await admin().post('/routes', { hosts: ['*.*.test'] }), { hosts: ['invalid wildcard: must have at most one wildcard'] })
    expectSchemaViolation(await admin().post('/routes', { methods: ['get'] }), { methods: ['invalid value: get'] })
    expectSchemaViolation(
      await admin().post('/routes', { protocols: ['ftp'], paths: ['/'] }),
      { protocols: ['expected one of: grpc, grpcs, http, https, tcp, tls, tls_passthrough, udp'] },
      'schema violation (protocols.1: expected one of: grpc, grpcs, http, https, tcp, tls, tls_passthrough, udp)',
    )
    expectSchemaViolation(await admin().post('/routes', { headers: { host: ['a'] } }), { headers: "cannot contain 'host' header, which must be specified in the 'hosts' attribute" })
  })

  it('applies the grpc subschema: strip_path defaults to false and may not be true', async () => {
    const ok = await admin().post('/routes', { protocols: ['grpc'], paths: ['/grpc'] })
    expect(ok.status).toBe(201)
    expect(ok.body.strip_path).toBe(false)
    expectSchemaViolation(await admin().post('/routes', { protocols: ['grpcs'], paths: ['/g'], strip_path: true }), { strip_path: "cannot set 'strip_path' when 'protocols' is 'grpc' or 'grpcs'" })
    expectSchemaViolation(await admin().post('/routes', { protocols: ['grpc'], paths: ['/g'], methods: ['GET'] }), { methods: "cannot set 'methods' when 'protocols' is 'grpc' or 'grpcs'" })
  })

  it('applies the stream subschema: no http attributes, and sources, destinations or snis required', async () => {
    const when = "'tcp', 'tls', 'tls_passthrough' or 'udp'"
    expectSchemaViolation(await admin().post('/routes', { protocols: ['tcp'], paths: ['/'] }), { paths: `cannot set 'paths' when 'protocols' is ${when}` })
    expectSchemaViolation(await admin().post('/routes', { protocols: ['tcp'] }), { '@entity': ["must set one of 'sources', 'destinations', 'snis' when 'protocols' is 'tcp', 'tls' or 'udp'"] })
    expectSchemaViolation(await admin().post('/routes', { protocols: ['tls_passthrough'] }), { '@entity': ["must set snis when 'protocols' is 'tls_passthrough'"] })
    const ok = await admin().post('/routes', { protocols: ['tcp'], sources: [{ ip: '10.0.0.0/8' }, { port: 81 }] })
    expect(ok.status).toBe(201)
    expect(ok.body.sources).toEqual([{ ip: '10.0.0.0/8' }, { port: 81 }])
    expectSchemaViolation(
      await admin().post('/routes', { protocols: ['tcp'], destinations: [{ ip: 'x' }, {}] }),
      { destinations: [{ ip: "invalid ip or cidr range: 'x'" }, { '@entity': ["at least one of these fields must be non-empty: 'ip', 'port'"] }] },
    )
    expectSchemaViolation(await admin().post('/routes', { paths: ['/'], sources: [{ port: 1 }] }), { sources: "cannot set 'sources' when 'protocols' is 'http' or 'https'" })
  })

  it('rejects mixed protocol families and snis on plain http', async () => {
    expectSchemaViolation(await admin().post('/routes', { protocols: ['http', 'tcp'], paths: ['/'] }), {
      protocols: "these sets are mutually exclusive: ('http', 'https'), ('tcp', 'tls', 'udp'), ('tls_passthrough'), ('grpc', 'grpcs')",
    })
    expectSchemaViolation(await admin().post('/routes', { protocols: ['http'], paths: ['/'], snis: ['a.test'] }), {
      snis: 'length must be 0', '@entity': ["'snis' can only be set when 'protocols' is 'grpcs', 'https', 'tls' or 'tls_passthrough'"],
    })
  })

  it('serves /routes/{r}/service: 404 when unset, PUT creates and attaches, PATCH updates, DELETE 405', async () => {
    const r = (await admin().post('/routes', { name: 'rt-parent', paths: ['/parent'] })).body
    expect((await admin().get('/routes/rt-parent/service')).body).toEqual({ message: 'Not found' })
    expect((await admin().patch('/routes/rt-parent/service', { retries: 1 })).status).toBe(404)
    expect((await admin().delete('/routes/rt-parent/service')).status).toBe(404)
    const put = await admin().put('/routes/rt-parent/service', { host: 'parent.test' })
    expect(put.status).toBe(200)
    expect((await admin().get(`/routes/${r.id}`)).body.service).toEqual({ id: put.body.id })
    expect((await admin().get('/routes/rt-parent/service')).body).toEqual(put.body)
    const patched = await admin().patch('/routes/rt-parent/service', { retries: 2 })
    expect(patched.body).toMatchObject({ id: put.body.id, retries: 2, host: 'parent.test' })
    const replaced = await admin().put('/routes/rt-parent/service', { host: 'parent2.test' })
    expect(replaced.body).toMatchObject({ id: put.body.id, host: 'parent2.test', retries: 5 })
    const del = await admin().delete('/routes/rt-parent/service')
    expect(del.status).toBe(405)
    expect(del.body).toEqual({ message: 'Method not allowed' })
    expect((await admin().get('/routes/rt-missing/service')).status).toBe(404)
  })

  it('serves plugins nested under a route and deletes them with the route', async () => {
    const r = (await admin().post('/routes', { name: 'rt-plug', paths: ['/plug'] })).body
    const p = await admin().post('/routes/rt-plug/plugins', { name: 'key-auth' })
    expect(p.status).toBe(201)
    expect(p.body.route).toEqual({ id: r.id })
    expect((await admin().get('/routes/rt-plug/plugins')).body).toEqual({ data: [p.body], next: null })
    expect((await admin().patch(`/routes/rt-plug/plugins/${p.body.id}`, { enabled: false })).body.enabled).toBe(false)
    expect((await admin().delete('/routes/rt-plug')).status).toBe(204)
    expect((await admin().get(`/plugins/${p.body.id}`)).status).toBe(404)
  })
})
