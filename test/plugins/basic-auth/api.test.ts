// The basic-auth admin API (Kong's 02-api_spec): /consumers/{c}/basic-auth, /basic-auths, hashed
// passwords never returned in plaintext, plugin config validation and /schemas/plugins/basic-auth.
import { describe, expect, it } from 'vitest'
import { expectSchemaViolation, UNKNOWN_ID, useAdmin } from '../../support/admin-suite.ts'

const suite = useAdmin()
const HASH = /^\$scrypt\$ln=\d+,r=\d+,p=\d+\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/

describe('/consumers/{c}/basic-auth', () => {
  let bob: any
  let cred: any

  it('creates a credential whose password is stored and returned hashed', async () => {
    const { admin } = suite
    bob = (await admin.post('/consumers', { username: 'bob' })).body
    await admin.post('/consumers', { username: 'alice' })
    const r = await admin.post('/consumers/bob/basic-auth', { username: 'bob', password: 'kong', tags: ['t1'] })
    expect(r.status).toBe(201)
    expect(r.body).toMatchObject({ username: 'bob', consumer: { id: bob.id }, tags: ['t1'] })
    expect(r.body.password).toMatch(HASH)
    expect(r.text).not.toContain('"kong"')
    cred = r.body
  })

  it('hashes the password without trimming it, with a fresh salt each time', async () => {
    const { admin } = suite
    const a = await admin.post('/consumers/bob/basic-auth', { username: 'bob-spaces', password: ' kong ' })
    expect(a.status).toBe(201)
    expect(a.body.password).toMatch(HASH)
    expect(a.body.password).not.toBe(cred.password)
  })

  it('accepts a form-encoded body', async () => {
    const r = await suite.admin.postForm('/consumers/bob/basic-auth', { username: 'bob-form', password: 'pw' })
    expect(r.status).toBe(201)
    expect(r.body.password).toMatch(HASH)
  })

  it('reports both missing fields, and 409 for a taken username', async () => {
    const { admin } = suite
    expectSchemaViolation(await admin.post('/consumers/bob/basic-auth', {}), { username: 'required field missing', password: 'required field missing' })
    const dup = await admin.post('/consumers/alice/basic-auth', { username: 'bob', password: 'x' })
    expect(dup.status).toBe(409)
    expect(dup.body.name).toBe('unique constraint violation')
    expect(dup.body.message).toBe(`UNIQUE violation detected on '{username="bob"}'`)
  })

  it('reads a credential by id or username, only under its own consumer', async () => {
    const { admin } = suite
    expect((await admin.get(`/consumers/bob/basic-auth/${cred.id}`)).body).toEqual(cred)
    expect((await admin.get('/consumers/bob/basic-auth/bob')).body).toEqual(cred)
    expect((await admin.get(`/consumers/alice/basic-auth/${cred.id}`)).status).toBe(404)
    const list = await admin.get('/consumers/bob/basic-auth')
    expect(list.body.data.map((c: any) => c.username).sort()).toEqual(['bob', 'bob-form', 'bob-spaces'])
  })

  it('PUT by username creates, and reports Kong\'s field errors', async () => {
    const { admin } = suite
    const r = await admin.put('/consumers/bob/basic-auth/bob-put', { password: 'pw' })
    expect(r.status).toBe(200)
    expect(r.body.username).toBe('bob-put')
    expect(r.body.password).toMatch(HASH)
    expectSchemaViolation(await admin.put(`/consumers/bob/basic-auth/${UNKNOWN_ID}`, { username: 123 }), { username: 'expected a string', password: 'required field missing' })
  })

  it('PATCH rehashes a new password and keeps the hash when only the username changes', async () => {
    const { admin } = suite
    const p = await admin.patch(`/consumers/bob/basic-auth/${cred.id}`, { password: '4321' })
    expect(p.status).toBe(200)
    expect(p.body.password).toMatch(HASH)
    expect(p.body.password).not.toBe(cred.password)
    const u = await admin.patch('/consumers/bob/basic-auth/bob', { username: 'tyrion' })
    expect(u.status).toBe(200)
    expect(u.body.username).toBe('tyrion')
    expect(u.body.password).toBe(p.body.password)
    expectSchemaViolation(await admin.patch('/consumers/bob/basic-auth/tyrion', { username: 123 }), { username: 'expected a string' })
  })

  it('deletes a credential; a missing one answers 404 by username or id', async () => {
    const { admin } = suite
    expect((await admin.delete('/consumers/bob/basic-auth/bob-form')).status).toBe(204)
    expect((await admin.get('/consumers/bob/basic-auth/bob-form')).status).toBe(404)
    expect((await admin.get(`/consumers/bob/basic-auth/${UNKNOWN_ID}`)).status).toBe(404)
  })
})

describe('/basic-auths', () => {
  it('lists and paginates every credential', async () => {
    const { admin } = suite
    for (let i = 0; i < 3; i++) await admin.post('/consumers/alice/basic-auth', { username: `alice${i}`, password: 'pw' })
    const all = await admin.get('/basic-auths/')
    expect(all.status).toBe(200)
    expect(all.body.data.length).toBeGreaterThanOrEqual(5)
    for (const c of all.body.data) expect(c.password).toMatch(HASH)
    const p1 = await admin.get('/basic-auths?size=2')
    expect(p1.body.data).toHaveLength(2)
    const p2 = await admin.get(p1.body.next)
    expect(p2.body.data[0].id).not.toBe(p1.body.data[0].id)
  })

  it('needs a consumer and a password to create', async () => {
    const r = await suite.admin.post('/basic-auths', { username: 'nobody' })
    expect(r.status).toBe(400)
    expect(r.body.message).toBe('2 schema violations (consumer: required field missing; password: required field missing)')
  })

  it('creates with a consumer and leads to it from a credential id or username', async () => {
    const { admin } = suite
    const alice = (await admin.get('/consumers/alice')).body
    const r = await admin.post('/basic-auths', { username: 'alice-top', password: 'pw', consumer: { id: alice.id } })
    expect(r.status).toBe(201)
    expect((await admin.get(`/basic-auths/${r.body.id}/consumer`)).body).toEqual(alice)
    expect((await admin.get('/basic-auths/alice-top/consumer')).body).toEqual(alice)
    expect((await admin.get(`/basic-auths/${UNKNOWN_ID}/consumer`)).status).toBe(404)
    expect((await admin.get('/basic-auths/no-such-user/consumer')).status).toBe(404)
  })

  it('drops the credentials with their consumer', async () => {
    const { admin } = suite
    await admin.post('/consumers', { username: 'temp' })
    await admin.post('/consumers/temp/basic-auth', { username: 'temp-user', password: 'pw' })
    expect((await admin.delete('/consumers/temp')).status).toBe(204)
    expect((await admin.get('/basic-auths/temp-user')).status).toBe(404)
  })
})

describe('basic-auth plugin config', () => {
  it('returns Kong\'s defaults', async () => {
    const r = await suite.admin.post('/plugins', { name: 'basic-auth' })
    expect(r.status).toBe(201)
    expect(r.body.config).toEqual({ anonymous: null, hide_credentials: false, realm: 'service' })
    expect(r.body.protocols).toEqual(['grpc', 'grpcs', 'http', 'https'])
    await suite.admin.delete(`/plugins/${r.body.id}`)
  })

  it('reports every validation error in Kong\'s shape', async () => {
    const { admin } = suite
    expectSchemaViolation(await admin.post('/plugins', { name: 'basic-auth', config: { hide_credentials: 'yes', realm: null, what: 1 } }), {
      config: { hide_credentials: 'expected a boolean', realm: 'required field missing', what: 'unknown field' },
    })
    const alice = (await admin.get('/consumers/alice')).body
    expectSchemaViolation(await admin.post('/plugins', { name: 'basic-auth', consumer: { id: alice.id } }), { consumer: 'value must be null' })
  })

  it('is described by /schemas/plugins/basic-auth', async () => {
    const r = await suite.admin.get('/schemas/plugins/basic-auth')
    expect(r.status).toBe(200)
    const config = r.body.fields.find((f: any) => f.config).config
    expect(config.fields.map((f: any) => Object.keys(f)[0])).toEqual(['anonymous', 'hide_credentials', 'realm'])
  })
})
