// The hmac-auth admin API (Kong's 02-api_spec): /consumers/{c}/hmac-auth, /hmac-auths, generated secrets,
// Kong's field errors, plugin config validation (01-schema_spec) and /schemas/plugins/hmac-auth.
import { describe, expect, it } from 'vitest'
import { expectSchemaViolation, UNKNOWN_ID, useAdmin } from '../../support/admin-suite.ts'

const suite = useAdmin()

describe('/consumers/{c}/hmac-auth', () => {
  let bob: any
  let cred: any

  it('creates a credential with a generated secret, or the given one', async () => {
    const { admin } = suite
    bob = (await admin.post('/consumers', { username: 'bob' })).body
    await admin.post('/consumers', { username: 'alice' })
    const r = await admin.post('/consumers/bob/hmac-auth', { username: 'bob' })
    expect(r.status).toBe(201)
    expect(r.body).toMatchObject({ username: 'bob', consumer: { id: bob.id }, tags: null })
    expect(r.body.secret).toMatch(/^[A-Za-z0-9]{32}$/)
    cred = r.body
    const s = await admin.post('/consumers/bob/hmac-auth', { username: 'bob2', secret: 'my-secret', tags: ['a'] })
    expect(s.body).toMatchObject({ secret: 'my-secret', tags: ['a'] })
  })

  it('reports Kong\'s field errors and 409 for a taken username', async () => {
    const { admin } = suite
    expectSchemaViolation(await admin.post('/consumers/bob/hmac-auth', {}), { username: 'required field missing' })
    expectSchemaViolation(await admin.post('/consumers/bob/hmac-auth', { username: '' }), { username: 'length must be at least 1' })
    expectSchemaViolation(await admin.post('/consumers/bob/hmac-auth', { username: 'x', secret: 123 }), { secret: 'expected a string' })
    const dup = await admin.post('/consumers/alice/hmac-auth', { username: 'bob' })
    expect(dup.status).toBe(409)
    expect(dup.body.message).toBe(`UNIQUE violation detected on '{username="bob"}'`)
  })

  it('reads by id or username under its consumer only, updates and deletes', async () => {
    const { admin } = suite
    expect((await admin.get(`/consumers/bob/hmac-auth/${cred.id}`)).body).toEqual(cred)
    expect((await admin.get('/consumers/bob/hmac-auth/bob')).body).toEqual(cred)
    expect((await admin.get('/consumers/alice/hmac-auth/bob')).status).toBe(404)
    const p = await admin.patch('/consumers/bob/hmac-auth/bob', { secret: 'rotated' })
    expect(p.status).toBe(200)
    expect(p.body).toMatchObject({ id: cred.id, secret: 'rotated' })
    const put = await admin.put('/consumers/bob/hmac-auth/bob3', {})
    expect(put.status).toBe(200)
    expect(put.body.username).toBe('bob3')
    expect((await admin.delete('/consumers/bob/hmac-auth/bob3')).status).toBe(204)
    expect((await admin.get('/consumers/bob/hmac-auth/bob3')).status).toBe(404)
    expect((await admin.get(`/consumers/bob/hmac-auth/${UNKNOWN_ID}`)).status).toBe(404)
  })
})

describe('/hmac-auths', () => {
  it('lists every credential and needs a consumer to create', async () => {
    const { admin } = suite
    const all = await admin.get('/hmac-auths')
    expect(all.status).toBe(200)
    expect(all.body.data.map((c: any) => c.username).sort()).toEqual(['bob', 'bob2'])
    const r = await admin.post('/hmac-auths', { username: 'orphan' })
    expect(r.status).toBe(400)
    expect(r.body.message).toBe('schema violation (consumer: required field missing)')
  })

  it('leads from a credential to its consumer', async () => {
    const { admin } = suite
    const bob = (await admin.get('/consumers/bob')).body
    expect((await admin.get('/hmac-auths/bob/consumer')).body).toEqual(bob)
    expect((await admin.get(`/hmac-auths/${UNKNOWN_ID}/consumer`)).status).toBe(404)
  })
})

describe('hmac-auth plugin config', () => {
  it('returns Kong\'s defaults', async () => {
    const r = await suite.admin.post('/plugins', { name: 'hmac-auth' })
    expect(r.status).toBe(201)
    expect(r.body.config).toEqual({
      hide_credentials: false, clock_skew: 300, anonymous: null, validate_request_body: false,
      enforce_headers: [], algorithms: ['hmac-sha1', 'hmac-sha256', 'hmac-sha384', 'hmac-sha512'], realm: null,
    })
    await suite.admin.delete(`/plugins/${r.body.id}`)
  })

  it('reports every validation error in Kong\'s shape', async () => {
    const { admin } = suite
    expectSchemaViolation(await admin.post('/plugins', { name: 'hmac-auth', config: { clock_skew: -10 } }), { config: { clock_skew: 'value must be greater than 0' } })
    expectSchemaViolation(await admin.post('/plugins', { name: 'hmac-auth', config: { algorithms: ['sha1024'] } }), {
      config: { algorithms: ['expected one of: hmac-sha1, hmac-sha256, hmac-sha384, hmac-sha512'] },
    })
    expectSchemaViolation(await admin.post('/plugins', { name: 'hmac-auth', config: { enforce_headers: 'date', validate_request_body: 'no' } }), {
      config: { enforce_headers: 'expected an array', validate_request_body: 'expected a boolean' },
    })
    const bob = (await admin.get('/consumers/bob')).body
    expectSchemaViolation(await admin.post('/plugins', { name: 'hmac-auth', consumer: { id: bob.id } }), { consumer: 'value must be null' })
  })

  it('accepts form-encoded arrays and is described by /schemas/plugins/hmac-auth', async () => {
    const { admin } = suite
    const r = await admin.postForm('/plugins', { name: 'hmac-auth', 'config.algorithms': ['hmac-sha256', 'hmac-sha512'], 'config.enforce_headers': 'date' })
    expect(r.status).toBe(201)
    expect(r.body.config).toMatchObject({ algorithms: ['hmac-sha256', 'hmac-sha512'], enforce_headers: ['date'] })
    const s = await admin.get('/schemas/plugins/hmac-auth')
    const config = s.body.fields.find((f: any) => f.config).config
    expect(config.fields.map((f: any) => Object.keys(f)[0])).toEqual(['hide_credentials', 'clock_skew', 'anonymous', 'validate_request_body', 'enforce_headers', 'algorithms', 'realm'])
  })
})
