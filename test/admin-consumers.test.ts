// Admin API, consumers and their key-auth credentials: /consumers, ?custom_id=, /consumers/{c}/key-auth,
// /key-auths, /key-auths/{k}/consumer, /consumers/{c}/plugins and the cascade on delete.
import { describe, expect, it } from 'vitest'
import { UNKNOWN_ID, expectSchemaViolation, listAll, useAdmin } from './support/admin-suite.ts'

const suite = useAdmin()
const admin = () => suite.admin
const AT_LEAST = "at least one of these fields must be non-empty: 'custom_id', 'username'"

describe('consumers', () => {
  it('creates, reads by id and username, updates and deletes a consumer', async () => {
    const c = await admin().post('/consumers', { username: 'alice', tags: ['t1', 't1', 't2'] })
    expect(c.status).toBe(201)
    expect(c.body).toMatchObject({ username: 'alice', custom_id: null, tags: ['t1', 't2'] })
    expect((await admin().get('/consumers/alice')).body).toEqual(c.body)
    expect((await admin().get(`/consumers/${c.body.id}`)).body).toEqual(c.body)
    const p = await admin().patch('/consumers/alice', { custom_id: 'a-1' })
    expect(p.body).toMatchObject({ id: c.body.id, username: 'alice', custom_id: 'a-1' })
    expect((await admin().delete('/consumers/alice')).status).toBe(204)
    expect((await admin().get('/consumers/alice')).status).toBe(404)
  })

  it('requires a username or a custom_id, and rewords the message on update', async () => {
    expectSchemaViolation(await admin().post('/consumers', {}), { '@entity': [AT_LEAST] }, `schema violation (${AT_LEAST})`)
    await admin().post('/consumers', { username: 'only-name' })
    expectSchemaViolation(await admin().patch('/consumers/only-name', { username: null }), { '@entity': [`when updating, ${AT_LEAST}`] })
  })

  it('keeps usernames case-sensitive and unique (409)', async () => {
    expect((await admin().post('/consumers', { username: 'Case' })).status).toBe(201)
    expect((await admin().post('/consumers', { username: 'case' })).status).toBe(201)
    const dup = await admin().post('/consumers', { username: 'Case' })
    expect(dup.status).toBe(409)
    expect(dup.body).toEqual({ code: 5, name: 'unique constraint violation', message: `UNIQUE violation detected on '{username="Case"}'`, fields: { username: 'Case' } })
    await admin().post('/consumers', { custom_id: 'cid-dup' })
    expect((await admin().post('/consumers', { custom_id: 'cid-dup' })).body.message).toBe(`UNIQUE violation detected on '{custom_id="cid-dup"}'`)
  })

  it('upserts with PUT by username and by id', async () => {
    const a = await admin().put('/consumers/put-user', { custom_id: 'put-1' })
    expect(a.status).toBe(200)
    expect(a.body).toMatchObject({ username: 'put-user', custom_id: 'put-1' })
    const b = await admin().put('/consumers/put-user', {})
    expect(b.body).toMatchObject({ id: a.body.id, username: 'put-user', custom_id: null })
    const id = 'a1b2c3d4-0000-4000-8000-0000000000c1'
    expect((await admin().put(`/consumers/${id}`, { username: 'put-by-id' })).body.id).toBe(id)
  })

  it('filters by custom_id and refuses an empty one', async () => {
    const c = (await admin().post('/consumers', { username: 'cid-owner', custom_id: 'cid-42' })).body
    expect((await admin().get('/consumers?custom_id=cid-42')).body).toEqual({ data: [c], next: null })
    expect((await admin().get('/consumers?custom_id=nobody')).body).toEqual({ data: [], next: null })
    const empty = await admin().get('/consumers?custom_id=')
    expect(empty.status).toBe(400)
    expect(empty.body).toEqual({ message: 'custom_id must be an unempty string' })
  })

  it('paginates consumers', async () => {
    for (let i = 0; i < 3; i++) await admin().post('/consumers', { username: `page-${i}`, tags: ['c-page'] })
    const p1 = await admin().get('/consumers?tags=c-page&size=1')
    expect(p1.body.data).toHaveLength(1)
    expect(p1.body.next).toContain('/consumers?offset=')
    expect(await listAll(admin(), '/consumers?tags=c-page', 1)).toHaveLength(3)
  })
})

describe('key-auth credentials', () => {
  it('creates a credential under a consumer with a generated 32-character key', async () => {
    const c = (await admin().post('/consumers', { username: 'ka-gen' })).body
    const k = await admin().post('/consumers/ka-gen/key-auth', {})
    expect(k.status).toBe(201)
    expect(k.body).toMatchObject({ consumer: { id: c.id }, tags: null })
    expect(k.body.key).toMatch(/^[A-Za-z0-9]{32}$/)
    expect(Object.keys(k.body).sort()).toEqual(['consumer', 'created_at', 'id', 'key', 'tags'])
  })

  it('lists, reads, updates, upserts and deletes credentials under their consumer', async () => {
    const c = (await admin().post('/consumers', { username: 'ka-crud' })).body
    const k1 = (await admin().post('/consumers/ka-crud/key-auth', { key: 'ka-crud-1' })).body
    const k2 = (await admin().post(`/consumers/${c.id}/key-auth`, { key: 'ka-crud-2' })).body
    const list = await admin().get('/consumers/ka-crud/key-auth')
    expect(list.body.data.map((k: any) => k.id).sort()).toEqual([k1.id, k2.id].sort())
    expect(list.body.next).toBeNull()
    expect((await admin().get('/consumers/ka-crud/key-auth/ka-crud-1')).body).toEqual(k1)
    expect((await admin().get(`/consumers/ka-crud/key-auth/${k2.id}`)).body).toEqual(k2)
    const patched = await admin().patch('/consumers/ka-crud/key-auth/ka-crud-1', { key: 'ka-crud-1b', tags: ['x'] })
    expect(patched.body).toMatchObject({ id: k1.id, key: 'ka-crud-1b', tags: ['x'], consumer: { id: c.id } })
    const put = await admin().put('/consumers/ka-crud/key-auth/ka-crud-3', {})
    expect(put.status).toBe(200)
    expect(put.body).toMatchObject({ key: 'ka-crud-3', consumer: { id: c.id } })
    expect((await admin().delete('/consumers/ka-crud/key-auth/ka-crud-3')).status).toBe(204)
    expect((await admin().delete('/consumers/ka-crud/key-auth/ka-crud-3')).status).toBe(404)
  })

  it('404s on a nested credential that belongs to another consumer or a missing consumer', async () => {
    await admin().post('/consumers', { username: 'ka-own-a' })
    await admin().post('/consumers', { username: 'ka-own-b' })
    await admin().post('/consumers/ka-own-a/key-auth', { key: 'ka-own-key' })
    expect((await admin().get('/consumers/ka-own-b/key-auth/ka-own-key')).body).toEqual({ message: 'Not found' })
    expect((await admin().patch('/consumers/ka-own-b/key-auth/ka-own-key', { tags: ['x'] })).status).toBe(404)
    expect((await admin().delete('/consumers/ka-own-b/key-auth/ka-own-key')).status).toBe(404)
    expect((await admin().get('/consumers/nobody/key-auth')).status).toBe(404)
    expect((await admin().post('/consumers/nobody/key-auth', {})).status).toBe(404)
    expect((await admin().get('/key-auths/ka-own-key')).status).toBe(200)
  })

  it('serves top-level /key-auths with pagination, PUT by key and the credential consumer', async () => {
    const c = (await admin().post('/consumers', { username: 'ka-top' })).body
    for (let i = 0; i < 3; i++) await admin().post('/consumers/ka-top/key-auth', { key: `ka-top-${i}`, tags: ['ka-top'] })
    const p1 = await admin().get('/key-auths?tags=ka-top&size=2')
    expect(p1.body.data).toHaveLength(2)
    expect(p1.body.next).toBe(`/key-auths?offset=${encodeURIComponent(p1.body.offset)}&tags=ka-top&size=2`)
    expect((await admin().get(p1.body.next)).body.next).toBeNull()
    expect((await admin().get('/key-auths/ka-top-0/consumer')).body).toEqual(c)
    const put = await admin().put('/key-auths/ka-top-new', { consumer: { id: c.id } })
    expect(put.status).toBe(200)
    expect(put.body.key).toBe('ka-top-new')
    const id = 'a1b2c3d4-0000-4000-8000-0000000000c2'
    const byId = await admin().put(`/key-auths/${id}`, { consumer: { id: c.id }, key: 'ka-top-by-id' })
    expect(byId.status).toBe(200)
    expect(byId.body).toMatchObject({ id, key: 'ka-top-by-id', consumer: { id: c.id } })
    expect((await admin().put(`/consumers/ka-top/key-auth/${id}`, {})).body).toMatchObject({ id, consumer: { id: c.id } })
    expectSchemaViolation(await admin().put('/key-auths/ka-top-orphan', {}), { consumer: 'required field missing' })
    const patched = await admin().patch('/key-auths/ka-top-new', { tags: ['y'] })
    expect(patched.body.tags).toEqual(['y'])
    expect((await admin().delete('/key-auths/ka-top-new')).status).toBe(204)
    expect((await admin().delete('/key-auths/ka-top-new')).status).toBe(204)
  })

  it('rejects a duplicate key (409) and an unknown consumer id (code 4)', async () => {
    await admin().post('/consumers', { username: 'ka-dup' })
    await admin().post('/consumers/ka-dup/key-auth', { key: 'dup-key' })
    const dup = await admin().post('/consumers/ka-dup/key-auth', { key: 'dup-key' })
    expect(dup.status).toBe(409)
    expect(dup.body.fields).toEqual({ key: 'dup-key' })
    const fk = await admin().post('/key-auths', { consumer: { id: UNKNOWN_ID } })
    expect(fk.status).toBe(400)
    expect(fk.body.code).toBe(4)
  })
})

describe('consumer plugins and cascade', () => {
  it('refuses key-auth scoped to a consumer, and deletes credentials and plugins with the consumer', async () => {
    const c = (await admin().post('/consumers', { username: 'cascade' })).body
    expectSchemaViolation(await admin().post('/consumers/cascade/plugins', { name: 'key-auth' }), { consumer: 'value must be null' })
    const k = (await admin().post('/consumers/cascade/key-auth', {})).body
    expect((await admin().get('/consumers/cascade/plugins')).body).toEqual({ data: [], next: null })
    expect((await admin().delete(`/consumers/${c.id}`)).status).toBe(204)
    expect((await admin().get(`/key-auths/${k.id}`)).status).toBe(404)
  })
})
