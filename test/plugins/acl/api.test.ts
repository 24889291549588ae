// The acl admin API (Kong's 18-acl/01-api_spec): /consumers/{c}/acls addressed by id or group name, PUT by
// group name, /acls, plugin config validation (allow/deny entity checks) and /schemas/plugins/acl.
import { describe, expect, it } from 'vitest'
import { expectSchemaViolation, UNKNOWN_ID, useAdmin } from '../../support/admin-suite.ts'

const suite = useAdmin()
const AT_LEAST = "at least one of these fields must be non-empty: 'config.allow', 'config.deny'"
const EXACTLY = "exactly one of these fields must be non-empty: 'config.allow', 'config.deny'"

describe('/consumers/{c}/acls', () => {
  let bob: any
  let acl: any

  it('adds a consumer to a group, and needs the group', async () => {
    const { admin } = suite
    bob = (await admin.post('/consumers', { username: 'bob' })).body
    const r = await admin.post('/consumers/bob/acls', { group: 'admin', tags: ['t'] })
    expect(r.status).toBe(201)
    expect(r.body).toMatchObject({ group: 'admin', consumer: { id: bob.id }, tags: ['t'] })
    acl = r.body
    const form = await admin.postForm(`/consumers/${bob.id}/acls`, { group: 'dev' })
    expect(form.status).toBe(201)
    expectSchemaViolation(await admin.post('/consumers/bob/acls', {}), { group: 'required field missing' })
  })

  it('answers 409 when the consumer is already in the group', async () => {
    const r = await suite.admin.post('/consumers/bob/acls', { group: 'admin' })
    expect(r.status).toBe(409)
    expect(r.body.name).toBe('unique constraint violation')
  })

  it('reads a group by id or by name, under its own consumer only', async () => {
    const { admin } = suite
    expect((await admin.get(`/consumers/bob/acls/${acl.id}`)).body).toEqual(acl)
    expect((await admin.get('/consumers/bob/acls/admin')).body).toEqual(acl)
    await admin.post('/consumers', { username: 'alice' })
    expect((await admin.get('/consumers/alice/acls/admin')).status).toBe(404)
    expect((await admin.get(`/consumers/alice/acls/${acl.id}`)).status).toBe(404)
    expect((await admin.get('/consumers/nobody/acls/admin')).status).toBe(404)
    const list = await admin.get('/consumers/bob/acls')
    expect(list.body.data.map((a: any) => a.group).sort()).toEqual(['admin', 'dev'])
  })

  it('keeps the same group name apart for two consumers', async () => {
    const { admin } = suite
    await admin.post('/consumers', { username: 'anna' })
    await admin.post('/consumers', { username: 'jack' })
    const a = (await admin.post('/consumers/anna/acls', { group: 'foo' })).body
    const j = (await admin.post('/consumers/jack/acls', { group: 'foo' })).body
    expect((await admin.get('/consumers/anna/acls/foo')).body.id).toBe(a.id)
    expect((await admin.get('/consumers/jack/acls/foo')).body.id).toBe(j.id)
    expect((await admin.put('/consumers/anna/acls/foo')).body.id).toBe(a.id)
    expect((await admin.delete('/consumers/anna/acls/foo')).status).toBe(204)
    expect((await admin.get('/consumers/jack/acls/foo')).body.id).toBe(j.id)
  })

  it('PUT by group name creates the group, and reports a bad group on PUT by id', async () => {
    const { admin } = suite
    const r = await admin.put('/consumers/bob/acls/pro', {})
    expect(r.status).toBe(200)
    expect(r.body).toMatchObject({ group: 'pro', consumer: { id: bob.id } })
    const again = await admin.put('/consumers/bob/acls/pro', { tags: ['x'] })
    expect(again.body).toMatchObject({ id: r.body.id, group: 'pro', tags: ['x'] })
    expectSchemaViolation(await admin.put(`/consumers/bob/acls/${UNKNOWN_ID}`, { group: 123 }), { group: 'expected a string' })
  })

  it('PATCH by id or name renames the group; a bad group is a schema violation', async () => {
    const { admin } = suite
    const p = await admin.patch(`/consumers/bob/acls/${acl.id}`, { group: 'root' })
    expect(p.body).toMatchObject({ id: acl.id, group: 'root' })
    const q = await admin.patch('/consumers/bob/acls/root', { group: 'admin' })
    expect(q.body).toMatchObject({ id: acl.id, group: 'admin' })
    expectSchemaViolation(await admin.patch(`/consumers/bob/acls/${acl.id}`, { group: 123 }), { group: 'expected a string' })
    expect((await admin.patch('/consumers/bob/acls/missing', { group: 'x' })).status).toBe(404)
  })

  it('DELETE by name or id; a missing group answers 404', async () => {
    const { admin } = suite
    expect((await admin.delete('/consumers/bob/acls/pro')).status).toBe(204)
    expect((await admin.get('/consumers/bob/acls/pro')).status).toBe(404)
    expect((await admin.delete('/consumers/bob/acls/pro')).status).toBe(404)
    expect((await admin.delete(`/consumers/bob/acls/${UNKNOWN_ID}`)).status).toBe(404)
  })
})

describe('/acls', () => {
  it('lists every group membership and filters nothing out', async () => {
    const r = await suite.admin.get('/acls')
    expect(r.status).toBe(200)
    expect(r.body.data.map((a: any) => a.group).sort()).toEqual(['admin', 'dev', 'foo'])
  })

  it('creates with a consumer, needs one, and leads to it', async () => {
    const { admin } = suite
    const alice = (await admin.get('/consumers/alice')).body
    const r = await admin.post('/acls', { group: 'ops', consumer: { id: alice.id } })
    expect(r.status).toBe(201)
    expect((await admin.get(`/acls/${r.body.id}/consumer`)).body).toEqual(alice)
    const bad = await admin.post('/acls', { group: 'ops' })
    expect(bad.status).toBe(400)
    expect(bad.body.message).toBe('schema violation (consumer: required field missing)')
    expect((await admin.get(`/acls/${UNKNOWN_ID}`)).status).toBe(404)
  })
})

describe('acl plugin config', () => {
  it('returns Kong\'s defaults', async () => {
    const r = await suite.admin.post('/plugins', { name: 'acl', config: { allow: ['admin'] } })
    expect(r.status).toBe(201)
    expect(r.body.config).toEqual({ allow: ['admin'], deny: null, hide_groups_header: false, always_use_authenticated_groups: false })
    await suite.admin.delete(`/plugins/${r.body.id}`)
  })

  it('needs exactly one of allow and deny', async () => {
    const { admin } = suite
    const none = await admin.post('/plugins', { name: 'acl' })
    expectSchemaViolation(none, { '@entity': [AT_LEAST] })
    expect(none.body.message).toBe(`schema violation (${AT_LEAST})`)
    expectSchemaViolation(await admin.post('/plugins', { name: 'acl', config: { allow: ['a'], deny: ['b'] } }), { '@entity': [EXACTLY] })
    expectSchemaViolation(await admin.post('/plugins', { name: 'acl', config: { allow: 'a', hide_groups_header: 1 } }), {
      config: { allow: 'expected an array', hide_groups_header: 'expected a boolean' },
    })
    const bob = (await admin.get('/consumers/bob')).body
    expectSchemaViolation(await admin.post('/plugins', { name: 'acl', consumer: { id: bob.id }, config: { allow: ['a'] } }), { consumer: 'value must be null' })
  })

  it('accepts a form-encoded list and is described by /schemas/plugins/acl', async () => {
    const { admin } = suite
    const r = await admin.postForm('/plugins', { name: 'acl', 'config.deny': ['x', 'y'] })
    expect(r.status).toBe(201)
    expect(r.body.config.deny).toEqual(['x', 'y'])
    const s = await admin.get('/schemas/plugins/acl')
    const config = s.body.fields.find((f: any) => f.config).config
    expect(config.fields.map((f: any) => Object.keys(f)[0])).toEqual(['allow', 'deny', 'hide_groups_header', 'always_use_authenticated_groups'])
  })
})
