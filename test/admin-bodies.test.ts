// Admin API body decoding (spec §3): JSON as-is, form-urlencoded and multipart through Kong's key grammar
// (`a.b`, `a[]`, `a[1]`, repeated keys) with type coercion from the schema, and the Content-Type gate.
import { describe, expect, it } from 'vitest'
import { expectSchemaViolation, rawRequest, useAdmin } from './support/admin-suite.ts'

const suite = useAdmin({ KONG_PLUGINS: 'bundled,./test/fixtures/plugins/admin-tester.ts' })
const admin = () => suite.admin
const form = (method: string, path: string, pairs: [string, string][]) => admin().request(method, path, { form: pairs })
const multipart = (method: string, path: string, fd: FormData) => admin().request(method, path, { multipart: fd })

describe('JSON bodies', () => {
  it('never coerces types', async () => {
    expectSchemaViolation(await admin().post('/services', { host: 'j.test', port: '80' }), { port: 'expected an integer' }, 'schema violation (port: expected an integer)')
    expectSchemaViolation(await admin().post('/services', { host: 'j.test', enabled: 'true' }), { enabled: 'expected a boolean' })
    expectSchemaViolation(await admin().post('/routes', { paths: '/a' }), { paths: 'expected an array' })
  })

  it('treats an explicit null as a value, not as "use the default"', async () => {
    expectSchemaViolation(await admin().post('/services', { host: 'j.test', port: null }), { port: 'required field missing' })
    const s = (await admin().post('/services', { host: 'j.test', name: 'json-null', path: '/p' })).body
    expect((await admin().patch(`/services/${s.id}`, { path: null })).body.path).toBeNull()
  })

  it('uses nested objects directly', async () => {
    const r = await admin().post('/plugins', { name: 'admin-tester', service: { name: 'json-null' }, config: { limits: { burst: 2 } } })
    expect(r.status).toBe(201)
    expect(r.body.config.limits).toEqual({ burst: 2, strict: false })
  })

  it('accepts a Content-Type with parameters', async () => {
    const r = await admin().request('POST', '/consumers', { raw: JSON.stringify({ username: 'charset' }), headers: { 'content-type': 'application/json; charset=utf-8' } })
    expect(r.status).toBe(201)
  })
})

describe('form-urlencoded bodies', () => {
  it('decodes and coerces a service (url, integer, tags[])', async () => {
    const r = await form('POST', '/services', [['name', 'form-s1'], ['url', 'http://a.test:8080/x'], ['retries', '3'], ['tags[]', 'a'], ['tags[]', 'b']])
    expect(r.status).toBe(201)
    expect(r.body).toMatchObject({ name: 'form-s1', protocol: 'http', host: 'a.test', port: 8080, path: '/x', retries: 3, tags: ['a', 'b'] })
  })

  it('builds arrays from paths[]=, paths[1]=, repeated keys and single values', async () => {
    const a = await form('POST', '/routes', [['paths[]', '/a'], ['paths[]', '/b'], ['methods', 'GET'], ['strip_path', 'false']])
    expect(a.body).toMatchObject({ paths: ['/a', '/b'], methods: ['GET'], strip_path: false })
    expect((await form('POST', '/routes', [['paths[2]', '/d'], ['paths[1]', '/c']])).body.paths).toEqual(['/c', '/d'])
    expect((await form('POST', '/routes', [['paths', '/e'], ['paths', '/f']])).body.paths).toEqual(['/e', '/f'])
    expect((await form('POST', '/routes', [['hosts', 'one.test']])).body.hosts).toEqual(['one.test'])
  })

  it('does not split on commas', async () => {
    expectSchemaViolation(await form('POST', '/routes', [['hosts', 'a.test,b.test']]), { hosts: ['invalid hostname: a.test,b.test'] })
  })

  it('builds maps from dotted keys (headers.x-version)', async () => {
    const r = await form('POST', '/routes', [['headers.x-version', 'v1'], ['headers.x-version', 'v2']])
    expect(r.status).toBe(201)
    expect(r.body.headers).toEqual({ 'x-version': ['v1', 'v2'] })
  })

  it('resolves foreign keys given as service.id= and service.name=', async () => {
    const s = (await form('POST', '/services', [['name', 'form-parent'], ['host', 'p.test']])).body
    expect((await form('POST', '/routes', [['paths', '/fid'], ['service.id', s.id]])).body.service).toEqual({ id: s.id })
    expect((await form('POST', '/routes', [['paths', '/fname'], ['service.name', 'form-parent']])).body.service).toEqual({ id: s.id })
    expectSchemaViolation(await form('POST', '/routes', [['paths', '/x'], ['service.name', '']]), { service: { id: 'missing primary key' } })
    expectSchemaViolation(await form('POST', '/routes', [['paths', '/x'], ['service.id', 'nope']]), { service: { id: 'expected a valid UUID' } })
  })

  it('coerces plugin config from the named plugin schema (config.key_names, config.minute, config.limits.burst)', async () => {
    const s = (await form('POST', '/services', [['host', 'cfg.test']])).body
    const ka = await form('POST', `/services/${s.id}/plugins`, [['name', 'key-auth'], ['config.key_names', 'apikey'], ['config.key_names', 'token']])
    expect(ka.body.config.key_names).toEqual(['apikey', 'token'])
    const s2 = (await form('POST', '/services', [['host', 'cfg.test']])).body
    const ka2 = await form('POST', `/services/${s2.id}/plugins`, [['name', 'key-auth'], ['config.key_names[1]', 'apikey'], ['config.hide_credentials', 'true']])
    expect(ka2.body.config).toMatchObject({ key_names: ['apikey'], hide_credentials: true })
    const t = await form('POST', `/services/${s.id}/plugins`, [['name', 'admin-tester'], ['config.minute', '5'], ['config.policy', 'local'], ['config.limits.burst', '7'], ['config.limits.strict', 'true']])
    expect(t.status).toBe(201)
    expect(t.body.config).toMatchObject({ minute: 5, policy: 'local', limits: { burst: 7, strict: true } })
  })

  it('coerces config on PATCH with the stored plugin schema when the body has no name', async () => {
    const p = (await admin().post('/plugins', { name: 'admin-tester', instance_name: 'form-patch' })).body
    const r = await form('PATCH', `/plugins/${p.id}`, [['config.minute', '9'], ['config.header_names[1]', 'x-a']])
    expect(r.status).toBe(200)
    expect(r.body.config).toMatchObject({ minute: 9, header_names: ['x-a'], policy: 'local' })
  })

  it('rejects an unknown config field given as config.foo=', async () => {
    expectSchemaViolation(await form('POST', '/plugins', [['name', 'key-auth'], ['config.foo', '']]), { config: { foo: 'unknown field' } }, 'schema violation (config.foo: unknown field)')
  })

  it('clears a field with an empty value on PATCH', async () => {
    await admin().post('/consumers', { username: 'form-clear', custom_id: 'c-1' })
    const r = await form('PATCH', '/consumers/form-clear', [['custom_id', '']])
    expect(r.status).toBe(200)
    expect(r.body.custom_id).toBeNull()
  })

  it('leaves values that do not parse for validation to reject', async () => {
    expectSchemaViolation(await form('POST', '/routes', [['paths', '/q'], ['strip_path', 'yes']]), { strip_path: 'expected a boolean' })
    expectSchemaViolation(await form('POST', '/services', [['host', 'q.test'], ['retries', '2.5']]), { retries: 'expected an integer' })
    expectSchemaViolation(await form('POST', '/services', [['host', 'q.test'], ['port', 'abc']]), { port: 'expected an integer' })
    expectSchemaViolation(await form('POST', '/consumers', [['username', 'a'], ['username', 'b']]), { username: 'expected a string' })
  })

  it('upserts with a form PUT', async () => {
    const r = await form('PUT', '/services/form-put', [['host', 'put.test'], ['port', '8080']])
    expect(r.status).toBe(200)
    expect(r.body).toMatchObject({ name: 'form-put', port: 8080 })
  })
})

describe('multipart bodies', () => {
  it('takes a file part as its exact content', async () => {
    const content = 'line one\nline two\n'
    const fd = new FormData()
    fd.append('username', 'mp-file')
    fd.append('custom_id', new Blob([content], { type: 'application/x-pem-file' }), 'id.txt')
    const r = await multipart('POST', '/consumers', fd)
    expect(r.status).toBe(201)
    expect(r.body.custom_id).toBe(content)
    const key = new FormData()
    key.append('key', new Blob(['file-key-1']), 'key.txt')
    const k = await multipart('POST', '/consumers/mp-file/key-auth', key)
    expect(k.status).toBe(201)
    expect(k.body.key).toBe('file-key-1')
  })

  it('uses the same key grammar and coercion as urlencoded', async () => {
    const fd = new FormData()
    for (const [k, v] of [['paths[1]', '/m1'], ['paths[2]', '/m2'], ['regex_priority', '4'], ['strip_path', 'false'], ['tags[]', 'mp']]) fd.append(k, v)
    const r = await multipart('POST', '/routes', fd)
    expect(r.status).toBe(201)
    expect(r.body).toMatchObject({ paths: ['/m1', '/m2'], regex_priority: 4, strip_path: false, tags: ['mp'] })
  })

  it('keeps repeated part names as a list, as urlencoded does', async () => {
    const fd = new FormData()
    fd.append('paths[]', '/r1')
    fd.append('paths[]', '/r2')
    expect((await multipart('POST', '/routes', fd)).body.paths).toEqual(['/r1', '/r2'])
  })

  it('updates with a multipart PATCH', async () => {
    await admin().post('/services', { name: 'mp-patch', host: 'mp.test' })
    const fd = new FormData()
    fd.append('retries', '1')
    fd.append('tags[1]', 'mp')
    const r = await multipart('PATCH', '/services/mp-patch', fd)
    expect(r.status).toBe(200)
    expect(r.body).toMatchObject({ retries: 1, tags: ['mp'] })
  })

  it('treats an empty multipart body as no arguments', async () => {
    const r = await admin().request('POST', '/consumers', { raw: '', headers: { 'content-type': 'multipart/form-data' } })
    expectSchemaViolation(r, { '@entity': ["at least one of these fields must be non-empty: 'custom_id', 'username'"] })
  })
})

describe('the Content-Type gate', () => {
  it('accepts a write with neither Content-Type nor body as empty', async () => {
    const r = await rawRequest(suite.proc.url, 'POST', '/consumers')
    expectSchemaViolation(r as any, { '@entity': ["at least one of these fields must be non-empty: 'custom_id', 'username'"] })
    await admin().post('/consumers', { username: 'no-body' })
    expect((await rawRequest(suite.proc.url, 'PATCH', '/consumers/no-body')).status).toBe(200)
  })

  it('answers 415 to a body without Content-Type and to other media types', async () => {
    const none = await rawRequest(suite.proc.url, 'POST', '/consumers', {}, 'username=x')
    expect(none.status).toBe(415)
    expect(none.body).toEqual({ message: 'Unsupported Media Type' })
    for (const type of ['text/plain', 'application/xml', 'Application/JSON']) {
      const r = await admin().request('POST', '/consumers', { raw: '{"username":"x"}', headers: { 'content-type': type } })
      expect(r.status, type).toBe(415)
    }
  })

  it('ignores bodies on GET and DELETE, even malformed JSON', async () => {
    const get = await rawRequest(suite.proc.url, 'GET', '/consumers', { 'content-type': 'application/json' }, '{not json')
    expect(get.status).toBe(200)
    const del = await rawRequest(suite.proc.url, 'DELETE', '/consumers/nobody-here', { 'content-type': 'application/json' }, '{not json')
    expect(del.status).toBe(204)
  })
})
