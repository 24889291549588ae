// acl through the proxy (Kong's 18-acl/02-access_spec) behind key-auth: allow and deny, X-Consumer-Groups,
// hide_groups_header, the 401/403 answers, anonymous consumers, authenticated groups (set by another plugin)
// with always_use_authenticated_groups, scopes, and group changes reaching the proxy.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startAclHarness, type AclHarness } from './harness.ts'

const FORBIDDEN = 'You cannot consume this service'
let h: AclHarness
const key = (k: string) => ({ apikey: k })

beforeAll(async () => {
  h = await startAclHarness()
  for (const [name, groups] of [['admin', ['admin', 'dev']], ['dev', ['dev']], ['nogroups', []], ['banned', ['banned', 'dev']]] as const) {
    await h.write('POST', '/consumers', { username: name })
    await h.write('POST', `/consumers/${name}/key-auth`, { key: `${name}-key` })
    for (const g of groups) await h.write('POST', `/consumers/${name}/acls`, { group: g })
  }
  await h.write('POST', '/consumers', { username: 'anon-guest' })
  await h.write('POST', '/consumers/anon-guest/acls', { group: 'guests' })
  await h.write('POST', '/consumers', { username: 'anon-bare' })
  const ka = { name: 'key-auth' }
  const grp = { name: 'groups-from-header' }
  await h.api('allow', [ka, { name: 'acl', config: { allow: ['admin'] } }])
  await h.api('deny', [ka, { name: 'acl', config: { deny: ['banned'] } }])
  await h.api('hidden', [ka, { name: 'acl', config: { allow: ['dev'], hide_groups_header: true } }])
  await h.api('alone', [{ name: 'acl', config: { allow: ['admin'] } }])
  await h.api('anon-guest', [{ name: 'key-auth', config: { anonymous: 'anon-guest' } }, { name: 'acl', config: { allow: ['guests', 'admin'] } }])
  await h.api('anon-strict', [{ name: 'key-auth', config: { anonymous: 'anon-guest' } }, { name: 'acl', config: { allow: ['admin'] } }])
  await h.api('anon-bare', [{ name: 'key-auth', config: { anonymous: 'anon-bare' } }, { name: 'acl', config: { allow: ['admin'] } }])
  await h.api('authgroups', [{ name: 'key-auth', config: { anonymous: 'anon-bare' } }, grp, { name: 'acl', config: { allow: ['ops'] } }])
  await h.api('always', [ka, grp, { name: 'acl', config: { allow: ['ops'], always_use_authenticated_groups: true } }])
  await h.api('headeronly', [grp, { name: 'acl', config: { deny: ['blocked'] } }])
})
afterAll(() => h?.stop())

describe('acl allow', () => {
  it('passes a member of an allowed group with every group in X-Consumer-Groups', async () => {
    const r = await h.get('/allow', key('admin-key'))
    expect(r.status).toBe(200)
    expect(r.body.headers['x-consumer-groups']).toBe('admin, dev')
    expect(r.body.headers['x-consumer-username']).toBe('admin')
  })

  it('answers 403 "You cannot consume this service" outside the allowed groups or without groups', async () => {
    for (const k of ['dev-key', 'nogroups-key']) {
      const r = await h.get('/allow', key(k))
      expect(r.status, k).toBe(403)
      expect(r.body).toEqual({ message: FORBIDDEN, request_id: expect.any(String) })
    }
  })

  it('answers 401 Unauthorized when no consumer is identified at all', async () => {
    const r = await h.get('/alone')
    expect(r.status).toBe(401)
    expect(r.body.message).toBe('Unauthorized')
  })

  it('keeps X-Consumer-Groups from the upstream with hide_groups_header', async () => {
    const r = await h.get('/hidden', key('dev-key'))
    expect(r.status).toBe(200)
    expect(r.body.headers['x-consumer-groups']).toBeUndefined()
  })
})

describe('acl deny', () => {
  it('answers 403 for a member of a denied group and passes the others', async () => {
    expect((await h.get('/deny', key('banned-key'))).status).toBe(403)
    const ok = await h.get('/deny', key('admin-key'))
    expect(ok.status).toBe(200)
    expect(ok.body.headers['x-consumer-groups']).toBe('admin, dev')
  })

  it('passes a consumer without groups, with an empty X-Consumer-Groups as Kong', async () => {
    const r = await h.get('/deny', key('nogroups-key'))
    expect(r.status).toBe(200)
    expect(r.body.headers['x-consumer-groups']).toBe('')
  })
})

describe('acl with anonymous consumers', () => {
  it('uses the anonymous consumer\'s groups when authentication failed', async () => {
    const r = await h.get('/anon-guest')
    expect(r.status).toBe(200)
    expect(r.body.headers['x-consumer-groups']).toBe('guests')
    expect(r.body.headers['x-anonymous-consumer']).toBe('true')
    expect((await h.get('/anon-guest', key('admin-key'))).body.headers['x-consumer-groups']).toBe('admin, dev')
  })

  it('answers 403 when the anonymous consumer\'s groups are not allowed, and 401 when it has none', async () => {
    const s = await h.get('/anon-strict')
    expect(s.status).toBe(403)
    expect(s.body.message).toBe(FORBIDDEN)
    const b = await h.get('/anon-bare')
    expect(b.status).toBe(401)
    expect(b.body.message).toBe('Unauthorized')
    expect((await h.get('/anon-bare', key('admin-key'))).status).toBe(200)
  })
})

describe('acl with authenticated groups', () => {
  it('uses authenticated groups over the anonymous consumer\'s, in X-Authenticated-Groups', async () => {
    const r = await h.get('/authgroups', { 'x-test-groups': 'ops,qa' })
    expect(r.status).toBe(200)
    expect(r.body.headers['x-authenticated-groups']).toBe('ops, qa')
    expect(r.body.headers['x-consumer-groups']).toBeUndefined()
    expect((await h.get('/authgroups', { 'x-test-groups': 'qa' })).status).toBe(403)
  })

  it('ignores authenticated groups for a real credential unless always_use_authenticated_groups', async () => {
    expect((await h.get('/authgroups', { ...key('admin-key'), 'x-test-groups': 'ops' })).status).toBe(403)
    const a = await h.get('/always', { ...key('dev-key'), 'x-test-groups': 'ops' })
    expect(a.status).toBe(200)
    expect(a.body.headers['x-authenticated-groups']).toBe('ops')
    // without authenticated groups it falls back to the consumer's own
    expect((await h.get('/always', key('dev-key'))).status).toBe(403)
  })

  it('decides on authenticated groups alone when no consumer is identified', async () => {
    expect((await h.get('/headeronly', { 'x-test-groups': 'blocked' })).status).toBe(403)
    const ok = await h.get('/headeronly', { 'x-test-groups': 'fine' })
    expect(ok.status).toBe(200)
    expect(ok.body.headers['x-authenticated-groups']).toBe('fine')
    expect((await h.get('/headeronly')).status).toBe(401)
  })
})

describe('acl changes and scopes', () => {
  it('applies group changes at once', async () => {
    expect((await h.get('/allow', key('dev-key'))).status).toBe(403)
    await h.write('PUT', '/consumers/dev/acls/admin', {})
    expect((await h.get('/allow', key('dev-key'))).status).toBe(200)
    await h.write('DELETE', '/consumers/dev/acls/admin')
    expect((await h.get('/allow', key('dev-key'))).status).toBe(403)
  })

  it('applies an acl on a service to its routes, and a global acl to every route', async () => {
    await h.write('POST', '/services', { name: 'svc-scope', url: h.upstream.url })
    await h.write('POST', '/services/svc-scope/routes', { paths: ['/svc-scope'] })
    await h.write('POST', '/services/svc-scope/plugins', { name: 'key-auth' })
    await h.write('POST', '/services/svc-scope/plugins', { name: 'acl', config: { allow: ['dev'] } })
    expect((await h.get('/svc-scope', key('dev-key'))).status).toBe(200)
    expect((await h.get('/svc-scope', key('nogroups-key'))).status).toBe(403)
    const g = await h.write('POST', '/plugins', { name: 'acl', config: { deny: ['banned'] } })
    await h.write('POST', '/services', { name: 'svc-global', url: h.upstream.url })
    await h.write('POST', '/services/svc-global/routes', { paths: ['/svc-global'] })
    expect((await h.get('/svc-global')).status).toBe(401)
    await h.write('DELETE', `/plugins/${g.id}`)
    expect((await h.get('/svc-global')).status).toBe(200)
  })
})
