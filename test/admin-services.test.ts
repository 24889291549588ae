// Admin API, services: create/read/list/paginate/update/upsert/delete, the `url` shorthand, nested
// /services/{s}/routes and /services/{s}/plugins, and the config version on every write.
import { describe, expect, it } from 'vitest'
import { UNKNOWN_ID, expectSchemaViolation, listAll, useAdmin } from './support/admin-suite.ts'

const suite = useAdmin()
const admin = () => suite.admin

const SERVICE_DEFAULTS = {
  retries: 5, protocol: 'http', port: 80, path: null, connect_timeout: 60000, write_timeout: 60000, read_timeout: 60000,
  tags: null, client_certificate: null, tls_verify: null, tls_verify_depth: null, ca_certificates: null, enabled: true,
}

describe('services', () => {
  it('creates a service with 201, every field present and defaults filled', async () => {
    const r = await admin().post('/services', { name: 'svc-create', host: 'create.test' })
    expect(r.status).toBe(201)
    expect(r.body).toMatchObject({ name: 'svc-create', host: 'create.test', ...SERVICE_DEFAULTS })
    expect(r.body.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect(Number.isInteger(r.body.created_at)).toBe(true)
    expect(r.body.updated_at).toBe(r.body.created_at)
    expect(r.headers.get('content-type')).toBe('application/json; charset=utf-8')
  })

  it('reads a service by id and by name, and 404s with {"message":"Not found"} otherwise', async () => {
    const s = (await admin().post('/services', { name: 'svc-read', host: 'read.test' })).body
    expect((await admin().get(`/services/${s.id}`)).body).toEqual(s)
    expect((await admin().get(`/services/${s.id.toUpperCase()}`)).body).toEqual(s)
    expect((await admin().get('/services/svc-read')).body).toEqual(s)
    const missing = await admin().get('/services/svc-nope')
    expect(missing.status).toBe(404)
    expect(missing.body).toEqual({ message: 'Not found' })
    expect((await admin().get(`/services/${UNKNOWN_ID}`)).body).toEqual({ message: 'Not found' })
  })

  it('finds a service by a URL-encoded non-ASCII name', async () => {
    const s = (await admin().post('/services', { name: '円', host: 'yen.test' })).body
    expect((await admin().get('/services/%E5%86%86')).body.id).toBe(s.id)
  })

  it('expands the url shorthand into protocol, host, port and path, without echoing url', async () => {
    const cases: [string, Record<string, unknown>][] = [
      ['http://a.test:8080/x', { protocol: 'http', host: 'a.test', port: 8080, path: '/x' }],
      ['https://b.test', { protocol: 'https', host: 'b.test', port: 443, path: null }],
      ['http://c.test/', { protocol: 'http', host: 'c.test', port: 80, path: '/' }],
      ['http://example.test:443', { protocol: 'http', host: 'example.test', port: 443, path: null }],
      ['https://example2.test:80/', { protocol: 'https', host: 'example2.test', port: 80, path: '/' }],
      ['http://d.test/p?q=1#frag', { protocol: 'http', host: 'd.test', port: 80, path: '/p' }],
    ]
    for (const [url, want] of cases) {
      const r = await admin().post('/services', { url, port: 1, host: 'ignored.test' })
      expect(r.status, url).toBe(201)
      expect(r.body, url).toMatchObject(want)
      expect(r.body).not.toHaveProperty('url')
    }
  })

  it('rejects an empty url or one without a host', async () => {
    expect((await admin().post('/services', { url: '' })).status).toBe(400)
    expectSchemaViolation(await admin().post('/services', { url: 'http://' }), { host: 'required field missing' })
  })

  it('rewrites protocol, host, port and path when PATCH carries a url', async () => {
    const s = (await admin().post('/services', { name: 'svc-url-patch', url: 'http://old.test:81/old' })).body
    const r = await admin().patch(`/services/${s.id}`, { url: 'https://new.test' })
    expect(r.status).toBe(200)
    expect(r.body).toMatchObject({ protocol: 'https', host: 'new.test', port: 443, path: null, name: 'svc-url-patch' })
  })

  it('lists services ordered by id and pages with size, offset and next', async () => {
    for (let i = 0; i < 5; i++) await admin().post('/services', { host: 'page.test', tags: ['paging'] })
    const all = await listAll(admin(), '/services?tags=paging')
    expect(all).toHaveLength(5)
    expect(all.map((s) => s.id)).toEqual([...all.map((s) => s.id)].sort())

    const p1 = await admin().get('/services?tags=paging&size=2')
    expect(p1.body.data).toHaveLength(2)
    expect(p1.body.offset).toEqual(expect.any(String))
    expect(p1.body.next).toBe(`/services?offset=${encodeURIComponent(p1.body.offset)}&tags=paging&size=2`)
    const p2 = await admin().get(p1.body.next)
    expect(p2.body.data.map((s: any) => s.id)).toEqual(all.slice(2, 4).map((s) => s.id))
    const p3 = await admin().get(p2.body.next)
    expect(p3.body.data.map((s: any) => s.id)).toEqual([all[4].id])
    expect(p3.body.next).toBeNull()
    expect(p3.body).not.toHaveProperty('offset')
  })

  it('answers an empty list as {"data":[],"next":null} and ignores unknown query parameters', async () => {
    expect((await admin().get('/services?tags=nothing-has-this&foo=bar')).body).toEqual({ data: [], next: null })
  })

  it('filters by tags with AND (,) and OR (/)', async () => {
    const a = (await admin().post('/services', { host: 't.test', tags: ['tf-a'] })).body
    const ab = (await admin().post('/services', { host: 't.test', tags: ['tf-a', 'tf-b'] })).body
    const b = (await admin().post('/services', { host: 't.test', tags: ['tf-b'] })).body
    const ids = async (q: string) => (await listAll(admin(), `/services?tags=${q}`)).map((s) => s.id).sort()
    expect(await ids('tf-a,tf-b')).toEqual([ab.id])
    expect(await ids('tf-a/tf-b')).toEqual([a.id, ab.id, b.id].sort())
  })

  it('updates with PATCH: only the sent fields change and updated_at moves forward', async () => {
    const s = (await admin().post('/services', { name: 'svc-patch', host: 'patch.test', retries: 3, tags: ['x'] })).body
    const r = await admin().patch('/services/svc-patch', { retries: 7, tags: null })
    expect(r.status).toBe(200)
    expect(r.body).toMatchObject({ id: s.id, name: 'svc-patch', host: 'patch.test', retries: 7, tags: null, created_at: s.created_at })
    expect(r.body.updated_at).toBeGreaterThanOrEqual(s.updated_at)
    expect((await admin().get(`/services/${s.id}`)).body).toEqual(r.body)
  })

  it('upserts with PUT by name: 200 on create and on replace, absent fields reset to defaults', async () => {
    const created = await admin().put('/services/svc-put', { host: 'put.test', retries: 9, name: 'body-name-is-overridden' })
    expect(created.status).toBe(200)
    expect(created.body).toMatchObject({ name: 'svc-put', host: 'put.test', retries: 9 })
    const replaced = await admin().put('/services/svc-put', { host: 'put2.test' })
    expect(replaced.status).toBe(200)
    expect(replaced.body).toMatchObject({ id: created.body.id, name: 'svc-put', host: 'put2.test', retries: 5 })
  })

  it('upserts with PUT by id: creates with that id, then replaces it', async () => {
    const id = 'a1b2c3d4-0000-4000-8000-000000000001'
    const created = await admin().put(`/services/${id}`, { host: 'putid.test', name: 'svc-putid' })
    expect(created.status).toBe(200)
    expect(created.body).toMatchObject({ id, host: 'putid.test', name: 'svc-putid' })
    const replaced = await admin().put(`/services/${id}`, { host: 'putid2.test' })
    expect(replaced.body).toMatchObject({ id, host: 'putid2.test', name: null })
  })

  it('validates PUT like an insert: required fields must be present', async () => {
    expectSchemaViolation(await admin().put('/services/svc-put-empty', {}), { host: 'required field missing' }, 'schema violation (host: required field missing)')
    expect((await admin().get('/services/svc-put-empty')).status).toBe(404)
  })

  it('deletes a service with 204, and answers 204 again when nothing is left', async () => {
    const s = (await admin().post('/services', { name: 'svc-del', host: 'del.test' })).body
    const r = await admin().delete('/services/svc-del')
    expect(r.status).toBe(204)
    expect(r.text).toBe('')
    expect((await admin().get(`/services/${s.id}`)).status).toBe(404)
    expect((await admin().delete('/services/svc-del')).status).toBe(204)
    expect((await admin().delete(`/services/${UNKNOWN_ID}`)).status).toBe(204)
  })

  it('refuses to delete a service that still has routes (code 4) and cascades its plugins', async () => {
    const s = (await admin().post('/services', { name: 'svc-restrict', host: 'r.test' })).body
    const route = (await admin().post('/services/svc-restrict/routes', { paths: ['/restrict'] })).body
    const r = await admin().delete('/services/svc-restrict')
    expect(r.status).toBe(400)
    expect(r.body).toEqual({
      code: 4, name: 'foreign key violation',
      message: "an existing 'routes' entity references this 'services' entity",
      fields: { '@referenced_by': 'routes' },
    })
    const plugin = (await admin().post('/services/svc-restrict/plugins', { name: 'key-auth' })).body
    expect((await admin().delete(`/routes/${route.id}`)).status).toBe(204)
    expect((await admin().delete('/services/svc-restrict')).status).toBe(204)
    expect((await admin().get(`/plugins/${plugin.id}`)).status).toBe(404)
    expect((await admin().get(`/services/${s.id}`)).status).toBe(404)
  })

  it('serves routes nested under a service: create forces the parent, list and item check it', async () => {
    const s = (await admin().post('/services', { name: 'svc-nest', host: 'n.test' })).body
    const other = (await admin().post('/services', { name: 'svc-nest-other', host: 'n.test' })).body
    const r = await admin().post('/services/svc-nest/routes', { paths: ['/nest'], name: 'nest-route', service: { id: other.id } })
    expect(r.status).toBe(201)
    expect(r.body.service).toEqual({ id: s.id })
    const list = await admin().get(`/services/${s.id}/routes`)
    expect(list.body).toEqual({ data: [r.body], next: null })
    expect((await admin().get('/services/svc-nest/routes/nest-route')).body).toEqual(r.body)
    expect((await admin().get('/services/svc-nest-other/routes/nest-route')).body).toEqual({ message: 'Not found' })
    expect((await admin().get('/services/svc-missing/routes')).status).toBe(404)
    expect((await admin().post('/services/svc-missing/routes', { paths: ['/x'] })).status).toBe(404)

    const patched = await admin().patch('/services/svc-nest/routes/nest-route', { paths: ['/nest2'] })
    expect(patched.body).toMatchObject({ paths: ['/nest2'], service: { id: s.id } })
    expect((await admin().patch('/services/svc-nest-other/routes/nest-route', { paths: ['/x'] })).status).toBe(404)
    const put = await admin().put('/services/svc-nest/routes/nest-put', { paths: ['/nest-put'] })
    expect(put.status).toBe(200)
    expect(put.body).toMatchObject({ name: 'nest-put', service: { id: s.id } })
    expect((await admin().delete('/services/svc-nest-other/routes/nest-route')).status).toBe(404)
    expect((await admin().delete('/services/svc-nest/routes/nest-nope')).status).toBe(404)
    expect((await admin().delete('/services/svc-nest/routes/nest-route')).status).toBe(204)
  })

  it('pages nested lists with a next link under the parent path as given in the URL', async () => {
    await admin().post('/services', { name: 'svc-nest-page', host: 'np.test' })
    for (let i = 0; i < 3; i++) await admin().post('/services/svc-nest-page/routes', { paths: [`/np${i}`] })
    const p1 = await admin().get('/services/svc-nest-page/routes?size=2')
    expect(p1.body.data).toHaveLength(2)
    expect(p1.body.next).toBe(`/services/svc-nest-page/routes?offset=${encodeURIComponent(p1.body.offset)}`)
    const p2 = await admin().get(`${p1.body.next}&size=2`)
    expect(p2.body.data).toHaveLength(1)
    expect(p2.body.next).toBeNull()
  })

  it('serves plugins nested under a service', async () => {
    const s = (await admin().post('/services', { name: 'svc-plug', host: 'p.test' })).body
    const p = await admin().post('/services/svc-plug/plugins', { name: 'key-auth', config: { key_names: ['k'] } })
    expect(p.status).toBe(201)
    expect(p.body).toMatchObject({ service: { id: s.id }, route: null, consumer: null })
    expect((await admin().get('/services/svc-plug/plugins')).body.data.map((x: any) => x.id)).toEqual([p.body.id])
    expect((await admin().get(`/services/svc-plug/plugins/${p.body.id}`)).body).toEqual(p.body)
  })

  it('sends X-Postern-Config-Version on every write, strictly increasing', async () => {
    const versions: number[] = []
    const c = await admin().post('/services', { name: 'svc-ver', host: 'v.test' })
    versions.push(c.version)
    versions.push((await admin().patch('/services/svc-ver', { retries: 1 })).version)
    versions.push((await admin().put('/services/svc-ver', { host: 'v2.test' })).version)
    versions.push((await admin().post('/services/svc-ver/routes', { paths: ['/ver'] })).version)
    versions.push((await admin().post('/services/svc-ver/plugins', { name: 'key-auth' })).version)
    const route = (await admin().get('/services/svc-ver/routes')).body.data[0]
    versions.push((await admin().delete(`/routes/${route.id}`)).version)
    versions.push((await admin().delete('/services/svc-ver')).version)
    for (const v of versions) expect(Number.isInteger(v)).toBe(true)
    for (let i = 1; i < versions.length; i++) expect(versions[i]).toBeGreaterThan(versions[i - 1])
    expect((await admin().get('/status')).body.configuration_version).toBe(versions[versions.length - 1])
  })
})
