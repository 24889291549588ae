// Audit log: every admin write recorded with who/what/status and before/after, secrets redacted, served
// at /audit/requests with Kong's pagination, and purged after the retention time.
import { rmSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { AdminClient } from './support/admin-client.ts'
import { useAdmin } from './support/admin-suite.ts'
import { startAdmin } from './support/processes.ts'

const BOOT = 'audit-bootstrap-token-0123456789'
const suite = useAdmin({ POSTERN_ADMIN_TOKEN: BOOT })
const client = (token: string) => ({
  req: (method: string, path: string, json?: unknown) => new AdminClient(suite.proc.url).request(method, path, { json, headers: { 'kong-admin-token': token } }),
})
const boot = () => client(BOOT)

async function allRows(size = 2): Promise<any[]> {
  const rows: any[] = []
  let next: string | null = `/audit/requests?size=${size}`
  while (next) {
    const r = await boot().req('GET', next)
    expect(r.status, r.text).toBe(200)
    rows.push(...r.body.data)
    next = r.body.next
    if (next) expect(r.body.offset).toEqual(expect.any(String))
  }
  return rows
}

describe('audit log', () => {
  it('records each write with who, method, path, status, entity, id and before/after, secrets redacted', async () => {
    const editor = await boot().req('POST', '/admins', { username: 'eddie', role: 'editor' })
    const reader = await boot().req('POST', '/admins', { username: 'rita', role: 'read-only' })
    const ed = client(editor.body.token)
    const c = await ed.req('POST', '/consumers', { username: 'audited' })
    const k = await ed.req('POST', '/consumers/audited/key-auth', { key: 'very-secret-key-123' })
    await ed.req('PATCH', '/consumers/audited', { custom_id: 'cid-1' })
    expect((await ed.req('POST', '/services', { port: 'nope' })).status).toBe(400)
    expect((await client(reader.body.token).req('POST', '/consumers', { username: 'refused' })).status).toBe(403)
    await ed.req('GET', '/consumers')
    expect((await ed.req('DELETE', '/consumers/audited')).status).toBe(204)

    const raw = await boot().req('GET', '/audit/requests?size=1000')
    expect(raw.text).not.toContain('very-secret-key-123')
    expect(raw.text).not.toContain(editor.body.token)
    const rows = await allRows()
    expect(rows.map((r) => `${r.rbac_user_name} ${r.method} ${r.path} ${r.status}`)).toEqual([
      'bootstrap POST /admins 201',
      'bootstrap POST /admins 201',
      'eddie POST /consumers 201',
      'eddie POST /consumers/audited/key-auth 201',
      'eddie PATCH /consumers/audited 200',
      'eddie POST /services 400',
      'rita POST /consumers 403',
      'eddie DELETE /consumers/audited 204',
    ])
    const [adminRow, , created, key, patched, invalid, , deleted] = rows
    expect(adminRow.after).toMatchObject({ username: 'eddie', role: 'editor', token: '[REDACTED]' })
    expect(created).toMatchObject({ entity: 'consumers', entity_id: c.body.id, before: null, after: { username: 'audited', custom_id: null } })
    expect(key).toMatchObject({ entity: 'keyauth_credentials', entity_id: k.body.id, after: { key: '[REDACTED]', consumer: { id: c.body.id } } })
    expect(patched).toMatchObject({ entity: 'consumers', before: { custom_id: null }, after: { custom_id: 'cid-1' } })
    expect(invalid).toMatchObject({ entity: null, entity_id: null, before: null, after: null })
    // the delete cascades to the credential first; the row names the consumer itself
    expect(deleted).toMatchObject({ entity: 'consumers', entity_id: c.body.id, before: { username: 'audited', custom_id: 'cid-1' }, after: null })
    for (const r of rows) {
      expect(r.request_timestamp).toBeGreaterThan(1_700_000_000)
      expect(r.client_ip).toBe('127.0.0.1')
      expect(r.ttl).toBeGreaterThan(29 * 24 * 3600)
    }
  })

  it('answers Kong\'s errors for a bad size or offset', async () => {
    expect((await boot().req('GET', '/audit/requests?size=0')).body).toMatchObject({ message: 'size must be an integer between 1 and 1000' })
    expect((await boot().req('GET', '/audit/requests?offset=!!')).status).toBe(400)
  })
})

describe('audit retention', () => {
  it('purges rows older than POSTERN_AUDIT_RETENTION', async () => {
    const a = await startAdmin({ env: { POSTERN_AUDIT_RETENTION: '1' } })
    try {
      const api = new AdminClient(a.url)
      expect((await api.post('/consumers', { username: 'short-lived' })).status).toBe(201)
      expect((await api.get('/audit/requests')).body.data).toHaveLength(1)
      const until = Date.now() + 30_000
      let left = 1
      while (left && Date.now() < until) {
        await new Promise((r) => setTimeout(r, 250))
        left = (await api.get('/audit/requests')).body.data.length
      }
      expect(left).toBe(0)
    } finally {
      await a.stop()
      rmSync(a.prefix, { recursive: true, force: true })
    }
  })
})
