// Admin authentication and roles: every role against every endpoint family (one table), Kong's 401/403
// shapes, both token headers, tokens shown once and stored hashed, and the loopback guard.
import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { AdminClient } from './support/admin-client.ts'
import { useAdmin } from './support/admin-suite.ts'
import { startAdmin, tempPrefix } from './support/processes.ts'

const BOOT = 'bootstrap-token-for-tests-0123456789'
const suite = useAdmin({ POSTERN_ADMIN_TOKEN: BOOT })
const as = (token?: string, header: 'bearer' | 'kong' = 'bearer') => ({
  request: (method: string, path: string, json?: unknown) =>
    new AdminClient(suite.proc.url).request(method, path, {
      json,
      headers: token === undefined ? {} : header === 'bearer' ? { authorization: `Bearer ${token}` } : { 'kong-admin-token': token },
    }),
})
const boot = () => as(BOOT)

type Role = 'anonymous' | 'wrong-token' | 'read-only' | 'editor' | 'admin'
const ROLES: Role[] = ['anonymous', 'wrong-token', 'read-only', 'editor', 'admin']
const RANK: Record<Role, number> = { anonymous: -1, 'wrong-token': -1, 'read-only': 0, editor: 1, admin: 2 }

/** One row per endpoint family: a read and a write that succeed when allowed (`write` gets a fresh suffix). */
const FAMILIES: { family: string; read: string; readRole: Role; write: (n: string) => [string, string, unknown?]; writeRole: Role; ok: number }[] = [
  { family: 'root', read: '/', readRole: 'read-only', write: () => ['DELETE', `/services/${randomUUID()}`], writeRole: 'editor', ok: 204 },
  { family: 'status', read: '/status', readRole: 'read-only', write: () => ['DELETE', `/routes/${randomUUID()}`], writeRole: 'editor', ok: 204 },
  { family: 'services', read: '/services', readRole: 'read-only', write: (n) => ['POST', '/services', { name: `s-${n}`, url: 'http://upstream.test' }], writeRole: 'editor', ok: 201 },
  { family: 'routes', read: '/routes', readRole: 'read-only', write: (n) => ['POST', '/routes', { name: `r-${n}`, paths: [`/${n}`] }], writeRole: 'editor', ok: 201 },
  { family: 'consumers', read: '/consumers', readRole: 'read-only', write: (n) => ['POST', '/consumers', { username: `c-${n}` }], writeRole: 'editor', ok: 201 },
  { family: 'credentials', read: '/key-auths', readRole: 'read-only', write: (n) => ['PUT', `/consumers/k-${n}/key-auth/${randomUUID()}`, {}], writeRole: 'editor', ok: 404 },
  { family: 'plugins', read: '/plugins', readRole: 'read-only', write: () => ['DELETE', `/plugins/${randomUUID()}`], writeRole: 'editor', ok: 204 },
  { family: 'certificates', read: '/certificates', readRole: 'read-only', write: () => ['DELETE', `/certificates/${randomUUID()}`], writeRole: 'editor', ok: 204 },
  { family: 'schemas', read: '/schemas/plugins/key-auth', readRole: 'read-only', write: () => ['POST', '/schemas/consumers/validate', { username: 'x' }], writeRole: 'editor', ok: 200 },
  { family: 'audit', read: '/audit/requests', readRole: 'admin', write: () => ['DELETE', `/admins/${randomUUID()}`], writeRole: 'admin', ok: 204 },
  { family: 'admins', read: '/admins', readRole: 'admin', write: (n) => ['POST', '/admins', { username: `a-${n}` }], writeRole: 'admin', ok: 201 },
]

describe('admin authentication and roles', () => {
  const tokens = {} as Record<Role, string | undefined>

  it('creates one admin per role through /admins with the bootstrap token, showing each token once', async () => {
    tokens.anonymous = undefined
    tokens['wrong-token'] = 'not-a-real-token'
    for (const role of ['read-only', 'editor', 'admin'] as const) {
      const r = await boot().request('POST', '/admins', { username: `user-${role}`, role })
      expect(r.status, r.text).toBe(201)
      expect(r.body).toMatchObject({ username: `user-${role}`, role })
      expect(r.body.token).toMatch(/^[A-Za-z0-9]{32}$/)
      tokens[role] = r.body.token
      // never again: reads show no token (the stored value is a hash and is not returned either)
      const again = await boot().request('GET', `/admins/user-${role}`)
      expect(again.status).toBe(200)
      expect(again.body.token).toBeUndefined()
    }
    const list = await boot().request('GET', '/admins')
    expect(list.body.data.every((a: any) => a.token === undefined)).toBe(true)
  })

  for (const f of FAMILIES) {
    for (const role of ROLES) {
      const canRead = RANK[role] >= RANK[f.readRole]
      const canWrite = RANK[role] >= RANK[f.writeRole]
      it(`${role}: ${f.family} read ${canRead ? 'allowed' : 'denied'}, write ${canWrite ? 'allowed' : 'denied'}`, async () => {
        const client = as(tokens[role], role === 'editor' ? 'kong' : 'bearer')
        const read = await client.request('GET', f.read)
        const [method, path, body] = f.write(randomUUID().slice(0, 8))
        const write = await client.request(method, path, body)
        for (const [r, allowed, ok] of [[read, canRead, 200], [write, canWrite, f.ok]] as const) {
          if (RANK[role] < 0) {
            expect(r.status).toBe(401)
            expect(r.body).toEqual({ message: 'Invalid credentials. Token or User credentials required' })
          } else if (!allowed) {
            expect(r.status).toBe(403)
            expect(r.body.message).toMatch(/^you do not have permissions to (read|create|update|delete) this resource$/)
          } else expect(r.status, r.text).toBe(ok)
        }
      })
    }
  }

  it('accepts Authorization: Bearer and Kong-Admin-Token alike, and refuses other schemes', async () => {
    expect((await as(BOOT, 'bearer').request('GET', '/services')).status).toBe(200)
    expect((await as(BOOT, 'kong').request('GET', '/services')).status).toBe(200)
    const basic = await new AdminClient(suite.proc.url).request('GET', '/services', { headers: { authorization: `Basic ${Buffer.from(`x:${BOOT}`).toString('base64')}` } })
    expect(basic.status).toBe(401)
  })

  it('answers CORS preflights without credentials, so a browser GUI can send its token', async () => {
    const r = await new AdminClient(suite.proc.url).request('OPTIONS', '/services', { headers: { origin: 'http://127.0.0.1:8002', 'access-control-request-method': 'GET', 'access-control-request-headers': 'kong-admin-token' } })
    expect(r.status).toBe(204)
    expect(r.headers.get('access-control-allow-headers')).toBe('kong-admin-token')
    expect(r.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:8002')
  })

  it('rotates a token with PATCH (new value shown once) and revokes with DELETE', async () => {
    const created = await boot().request('POST', '/admins', { username: 'rotating', role: 'editor', token: 'first-token-value-1234567890' })
    expect(created.body.token).toBe('first-token-value-1234567890')
    expect((await as('first-token-value-1234567890').request('GET', '/services')).status).toBe(200)
    const rotated = await boot().request('PATCH', '/admins/rotating', { token: 'second-token-value-1234567890' })
    expect(rotated.status).toBe(200)
    expect(rotated.body.token).toBe('second-token-value-1234567890')
    expect((await as('first-token-value-1234567890').request('GET', '/services')).status).toBe(401)
    const renamed = await boot().request('PATCH', '/admins/rotating', { role: 'read-only' })
    expect(renamed.body.token).toBeUndefined()
    expect((await as('second-token-value-1234567890').request('POST', '/consumers', { username: 'nope' })).status).toBe(403)
    expect((await boot().request('DELETE', '/admins/rotating')).status).toBe(204)
    expect((await as('second-token-value-1234567890').request('GET', '/services')).status).toBe(401)
  })

  it('rejects an unknown role with Kong schema violation', async () => {
    const r = await boot().request('POST', '/admins', { username: 'bad-role', role: 'root' })
    expect(r.status).toBe(400)
    expect(r.body.fields.role).toBeDefined()
  })

  it('never writes a token to the log', async () => {
    await as('leaky-token-that-is-wrong').request('GET', '/services')
    expect(suite.proc.output()).not.toContain('leaky-token-that-is-wrong')
    expect(suite.proc.output()).not.toContain(BOOT)
    for (const t of Object.values(tokens)) if (t) expect(suite.proc.output()).not.toContain(t)
  })
})

describe('admin listening beyond loopback', () => {
  it('refuses to start without authentication, with a message naming both ways out', async () => {
    const err = await startAdmin({ env: { KONG_ADMIN_LISTEN: '0.0.0.0:0' } }).then(() => null, (e: Error) => e)
    expect(err?.message).toContain('the admin API would listen on 0.0.0.0:0 without authentication: set POSTERN_ADMIN_TOKEN to require a token, or POSTERN_ADMIN_INSECURE=on to allow it anyway')
  })

  it('starts when told explicitly (POSTERN_ADMIN_INSECURE=on) or with a token, and stays open without one on loopback', async () => {
    const envs: Record<string, string>[] = [{ KONG_ADMIN_LISTEN: '0.0.0.0:0', POSTERN_ADMIN_INSECURE: 'on' }, { KONG_ADMIN_LISTEN: '0.0.0.0:0', POSTERN_ADMIN_TOKEN: BOOT }, {}]
    for (const env of envs) {
      const a = await startAdmin({ prefix: tempPrefix('auth'), env })
      try {
        const open = await new AdminClient(a.url).get('/services')
        expect(open.status).toBe('POSTERN_ADMIN_TOKEN' in env ? 401 : 200)
      } finally {
        await a.stop()
      }
    }
  })
})
