// Admin API server behaviour and error shapes (spec §2.1, §2.5, §2.6): 404/405/415/400/409/413, codes
// 3/6/7/9/11, OPTIONS/HEAD/trailing slash, common headers, and the `/` and `/status` documents.
import { describe, expect, it } from 'vitest'
import { UNKNOWN_ID, rawRequest, useAdmin } from './support/admin-suite.ts'

const suite = useAdmin()
const admin = () => suite.admin

describe('server behaviour', () => {
  it('answers an unknown path with 404 {"message":"Not found"}', async () => {
    const r = await admin().get('/nothing/here')
    expect(r.status).toBe(404)
    expect(r.body).toEqual({ message: 'Not found' })
  })

  it('answers a known path with an unsupported method with 405 {"message":"Method not allowed"}', async () => {
    await admin().post('/services', { name: 'err-405', host: 'x.test' })
    for (const [method, path] of [['DELETE', '/services'], ['PUT', '/routes'], ['PATCH', '/consumers'], ['POST', '/services/err-405'], ['POST', '/routes/x/service']]) {
      const r = await admin().request(method, path)
      expect(r.status, `${method} ${path}`).toBe(405)
      expect(r.body).toEqual({ message: 'Method not allowed' })
    }
  })

  it('answers OPTIONS with 204 and the sorted allowed methods', async () => {
    const col = await admin().request('OPTIONS', '/services')
    expect(col.status).toBe(204)
    expect(col.headers.get('allow')).toBe('GET, HEAD, OPTIONS, POST')
    expect(col.headers.get('access-control-allow-methods')).toBe('GET, HEAD, OPTIONS, POST')
    const item = await admin().request('OPTIONS', '/services/anything', { headers: { 'access-control-request-headers': 'X-Foo' } })
    expect(item.headers.get('allow')).toBe('DELETE, GET, HEAD, OPTIONS, PATCH, PUT')
    expect(item.headers.get('access-control-allow-headers')).toBe('X-Foo')
  })

  it('serves HEAD wherever GET is served and tolerates a trailing slash', async () => {
    const head = await admin().request('HEAD', '/services')
    expect(head.status).toBe(200)
    expect(head.text).toBe('')
    expect((await admin().get('/services/')).body.data).toEqual(expect.any(Array))
    expect((await admin().get('/services/err-405/')).body.name).toBe('err-405')
  })

  it('sends the latency and CORS headers on every response', async () => {
    const r = await admin().request('GET', '/services', { headers: { origin: 'http://ui.test' } })
    expect(r.headers.get('x-kong-admin-latency')).toMatch(/^\d+$/)
    expect(r.headers.get('access-control-allow-origin')).toBe('http://ui.test')
    expect(r.headers.get('access-control-allow-credentials')).toBe('true')
    expect((await admin().get('/nope')).headers.get('access-control-allow-origin')).toBe('*')
  })

  it('answers 415 to media types it cannot decode', async () => {
    const r = await admin().request('POST', '/services', { raw: 'host=x', headers: { 'content-type': 'text/plain' } })
    expect(r.status).toBe(415)
    expect(r.body).toEqual({ message: 'Unsupported Media Type' })
  })

  it('answers 400 {"message":"Cannot parse JSON body"} to malformed, empty or non-object JSON', async () => {
    for (const raw of ['{', '', 'null', '[]', '"x"', '{"a":1}{']) {
      const r = await admin().request('POST', '/services', { raw, headers: { 'content-type': 'application/json' } })
      expect(r.status, raw).toBe(400)
      expect(r.body).toEqual({ message: 'Cannot parse JSON body' })
    }
  })

  it('answers 413 Payload too large to a body over 10 MB, with or without Content-Length', async () => {
    const big = Buffer.alloc(10 * 1024 * 1024 + 10, 'a')
    const r = await rawRequest(suite.proc.url, 'POST', '/services', { 'content-type': 'application/json' }, big)
    expect(r.status).toBe(413)
    expect(r.body).toEqual({ message: 'Payload too large' })
    const chunked = await rawRequest(suite.proc.url, 'POST', '/services', { 'content-type': 'application/json', 'transfer-encoding': 'chunked' }, big)
    expect(chunked.status).toBe(413)
  })
})

describe('DAO error codes', () => {
  it('answers PATCH of a missing entity with a full code 6 object keyed like the URL', async () => {
    const byId = await admin().patch(`/services/${UNKNOWN_ID}`, { retries: 1 })
    expect(byId.status).toBe(404)
    expect(byId.body).toEqual({ code: 6, name: 'not found', message: `could not find the entity with primary key '{id="${UNKNOWN_ID}"}'`, fields: { id: UNKNOWN_ID } })
    expect((await admin().patch('/services/nope', { retries: 1 })).body).toEqual({ code: 6, name: 'not found', message: `could not find the entity with '{name="nope"}'`, fields: { name: 'nope' } })
    expect((await admin().patch('/consumers/nobody', {})).body.message).toBe(`could not find the entity with '{username="nobody"}'`)
    expect((await admin().patch('/plugins/no-inst', {})).body.fields).toEqual({ instance_name: 'no-inst' })
    expect((await admin().patch('/key-auths/no-key', {})).body.fields).toEqual({ key: 'no-key' })
  })

  it('answers a duplicate unique field with 409 code 5', async () => {
    await admin().post('/services', { name: 'err-dup', host: 'x.test' })
    const r = await admin().post('/services', { name: 'err-dup', host: 'y.test' })
    expect(r.status).toBe(409)
    expect(r.body).toEqual({ code: 5, name: 'unique constraint violation', message: `UNIQUE violation detected on '{name="err-dup"}'`, fields: { name: 'err-dup' } })
    const other = (await admin().post('/services', { name: 'err-dup-2', host: 'x.test' })).body
    expect((await admin().patch(`/services/${other.id}`, { name: 'err-dup' })).status).toBe(409)
  })

  it('answers a POST with an id that already exists with 400 code 3', async () => {
    const s = (await admin().post('/services', { host: 'pk.test' })).body
    const r = await admin().post('/services', { id: s.id, host: 'pk2.test' })
    expect(r.status).toBe(400)
    expect(r.body).toMatchObject({ code: 3, name: 'primary key violation', fields: { id: s.id } })
  })

  it('answers a bad size with code 9', async () => {
    const number = { code: 9, name: 'invalid size', message: 'size must be a number' }
    const range = { code: 9, name: 'invalid size', message: 'size must be an integer between 1 and 1000' }
    for (const [q, want] of [['x', number], ['', number], ['2&size=3', number], ['0', range], ['1001', range], ['1.5', range], ['-1', range]] as const) {
      const r = await admin().get(`/services?size=${q}`)
      expect(r.status, q).toBe(400)
      expect(r.body, q).toEqual(want)
    }
    expect((await admin().get('/services?size=1000')).status).toBe(200)
  })

  it('answers a bad offset with code 7', async () => {
    const b64 = await admin().get('/services?offset=%25%25')
    expect(b64.status).toBe(400)
    expect(b64.body).toEqual({ code: 7, name: 'invalid offset', message: "'%%' is not a valid offset: bad base64 encoding" })
    expect((await admin().get('/routes?offset=x')).body.message).toBe("'x' is not a valid offset: bad base64 encoding")
    const json = await admin().get(`/services?offset=${Buffer.from('{nope').toString('base64')}`)
    expect(json.body).toMatchObject({ code: 7, message: expect.stringContaining('bad json encoding') })
  })

  it('answers a bad tags filter with code 11 and an options object', async () => {
    const cases: [string, string][] = [
      ['', 'cannot be null'],
      ['a,b,c,d,e,f', 'cannot query more than 5 tags'],
      ['a,b/c', 'invalid filter syntax'],
      ['%01', 'must only contain printable ascii (except `,` and `/`) or valid utf-8'],
    ]
    for (const [q, msg] of cases) {
      const r = await admin().get(`/services?tags=${q}`)
      expect(r.status, q).toBe(400)
      expect(r.body, q).toEqual({ code: 11, name: 'invalid options', message: `invalid option (tags: ${msg})`, options: { tags: msg } })
    }
  })

  it('answers DELETE of a missing top-level entity with 204 and of a missing nested one with 404', async () => {
    expect((await admin().delete('/consumers/nobody')).status).toBe(204)
    expect((await admin().delete(`/routes/${UNKNOWN_ID}`)).status).toBe(204)
    await admin().post('/consumers', { username: 'err-nested' })
    expect((await admin().delete('/consumers/err-nested/key-auth/nope')).body).toEqual({ message: 'Not found' })
    expect((await admin().delete('/consumers/nobody/key-auth/nope')).status).toBe(404)
  })
})

describe('information endpoints', () => {
  it('describes the node at /', async () => {
    const r = await admin().get('/')
    expect(r.status).toBe(200)
    expect(r.body).toMatchObject({
      tagline: 'Welcome to kong', version: '3.9.3', edition: 'community',
      hostname: expect.any(String), node_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      plugins: { available_on_server: expect.objectContaining({ 'key-auth': expect.any(Object) }), enabled_in_cluster: expect.any(Array) },
      configuration: expect.objectContaining({ database: expect.any(String) }),
      pids: { master: expect.any(Number), workers: expect.any(Array) },
    })
  })

  it('reports database reachability and the configuration version at /status', async () => {
    const r = await admin().get('/status')
    expect(r.status).toBe(200)
    expect(r.body).toMatchObject({ database: { reachable: true }, configuration_version: expect.any(Number), server: expect.any(Object), memory: expect.any(Object) })
    const w = await admin().post('/consumers', { username: 'status-bump' })
    expect((await admin().get('/status')).body.configuration_version).toBe(w.version)
  })
})
