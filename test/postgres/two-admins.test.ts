// Two admins and two proxies on one Postgres database: a write on either admin reaches both proxies (each
// admin follows the other's commits by LISTEN/NOTIFY and catch-up by version), a SIGKILLed admin loses no
// acknowledged write, and oauth2 tokens minted on one proxy are accepted and revoked on the other.
import { rmSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AdminClient } from '../support/admin-client.ts'
import pg from 'pg'
import { createPgDatabase, PG, type PgDatabase } from '../support/pg.ts'
import { startAdmin, startProxy, waitForVersion, type AdminProc, type ProxyProc } from '../support/processes.ts'
import { startEchoUpstream, type EchoUpstream } from '../fixtures/echo-upstream.ts'
import { bearer, call, callTerminated, eventually } from '../plugins/oauth2/gateway.ts'

let db: PgDatabase
let upstream: EchoUpstream
let adminA: AdminProc
let adminB: AdminProc
let proxy1: ProxyProc
let proxy2: ProxyProc
let apiA: AdminClient
let apiB: AdminClient
const stopped: AdminProc[] = []

/** How many LISTEN connections this database has (one per running admin). */
async function cutCount(): Promise<number> {
  const c = new pg.Client({ ...PG, database: db.name })
  await c.connect()
  try {
    return (await c.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND query LIKE 'LISTEN%'`, [db.name])).rows[0].n
  } finally {
    await c.end()
  }
}

const PROXY_ENV = { KONG_TRUSTED_IPS: '127.0.0.1', KONG_PROXY_LISTEN: '127.0.0.1:0' }

beforeAll(async () => {
  db = await createPgDatabase()
  upstream = await startEchoUpstream()
  // the first admin migrates; the second finds the schema in place
  adminA = await startAdmin({ env: db.env })
  adminB = await startAdmin({ env: db.env })
  apiA = new AdminClient(adminA.url)
  apiB = new AdminClient(adminB.url)
  // each proxy follows one admin (a proxy's list of control planes is another change)
  proxy1 = await startProxy({ clusterPort: adminA.clusterPort, env: { ...db.env, ...PROXY_ENV } })
  proxy2 = await startProxy({ clusterPort: adminB.clusterPort, env: { ...db.env, ...PROXY_ENV } })
})

afterAll(async () => {
  await Promise.all([proxy1, proxy2, adminA, adminB, ...stopped].filter(Boolean).map((p) => p.stop()))
  for (const p of [proxy1, proxy2, adminA, adminB, ...stopped]) if (p) rmSync(p.prefix, { recursive: true, force: true })
  await upstream?.close()
  await db?.drop()
})

async function ok(p: Promise<{ status: number; version: number; text: string; body: any }>): Promise<{ version: number; body: any }> {
  const r = await p
  expect(r.status, r.text).toBeLessThan(300)
  return r
}

const bothAt = (version: number) => Promise.all([waitForVersion(proxy1, version, 20_000), waitForVersion(proxy2, version, 20_000)])

describe('two admins, two proxies, one Postgres database', () => {
  it('serves on both proxies a write made on either admin', async () => {
    await ok(apiA.post('/services', { name: 'svc', url: upstream.url }))
    const a = await ok(apiA.post('/services/svc/routes', { name: 'from-a', paths: ['/from-a'] }))
    await bothAt(a.version)
    const b = await ok(apiB.post('/services/svc/routes', { name: 'from-b', paths: ['/from-b'] }))
    expect(b.version).toBeGreaterThan(a.version)
    await bothAt(b.version)
    for (const proxy of [proxy1, proxy2]) {
      expect((await call(proxy.url, '/from-a')).status).toBe(200)
      expect((await call(proxy.url, '/from-b')).status).toBe(200)
    }
    // each admin reads the other's writes, and they agree on the version
    expect((await apiB.get('/routes/from-a')).status).toBe(200)
    expect((await apiA.get('/status')).body.configuration_version).toBe((await apiB.get('/status')).body.configuration_version)
  })

  it('hands out distinct, increasing versions to concurrent writes on both admins', async () => {
    const writes = await Promise.all(
      Array.from({ length: 30 }, (_, i) => (i % 2 ? apiA : apiB).post('/consumers', { username: `concurrent-${i}` })),
    )
    for (const r of writes) expect(r.status, r.text).toBe(201)
    const versions = writes.map((r) => r.version)
    expect(new Set(versions).size).toBe(versions.length)
    await bothAt(Math.max(...versions))
  })

  it('keeps following the other admin when its LISTEN connection is cut (reconnect, then catch-up by version)', async () => {
    // cut every LISTEN connection on this database (both admins reconnect and read from the version they hold)
    const cut = async () => {
      const c = new pg.Client({ ...PG, database: db.name })
      await c.connect()
      try {
        const r = await c.query(`SELECT pg_terminate_backend(pid) AS done FROM pg_stat_activity WHERE datname = $1 AND query LIKE 'LISTEN%' AND pid <> pg_backend_pid()`, [db.name])
        return r.rowCount ?? 0
      } finally {
        await c.end()
      }
    }
    expect(await cut()).toBe(2)
    const writes = []
    for (let i = 0; i < 5; i++) writes.push(await ok(apiA.post('/services/svc/routes', { paths: [`/while-cut-${i}`] })))
    await waitForVersion(proxy2, writes[4].version, 20_000)
    for (let i = 0; i < 5; i++) expect((await call(proxy2.url, `/while-cut-${i}`)).status).toBe(200)
    // and it listens again: a later write on A reaches B's proxy too
    await eventually(async () => (await cutCount()) === 2, 10_000)
    const after = await ok(apiA.post('/services/svc/routes', { paths: ['/after-cut'] }))
    await waitForVersion(proxy2, after.version, 20_000)
  })

  it('loses no acknowledged write when an admin is SIGKILLed mid-stream, and a restart finds them all', async () => {
    const acked: { path: string; version: number }[] = []
    const stream = async (api: AdminClient, tag: string) => {
      for (let i = 0; i < 40; i++) {
        const path = `/stream-${tag}-${i}`
        const r = await api.post('/services/svc/routes', { paths: [path] }).catch(() => null)
        if (!r) return // the admin is gone: nothing more is acknowledged by it
        if (r.status === 201) acked.push({ path, version: r.version })
      }
    }
    const killer = (async () => {
      await eventually(async () => acked.length >= 10, 20_000)
      await adminA.kill()
    })()
    await Promise.all([stream(apiA, 'a'), stream(apiB, 'b'), killer])
    expect(acked.some((w) => w.path.startsWith('/stream-a'))).toBe(true)
    // every acknowledged write is in the database and served by the proxy of the surviving admin
    const top = Math.max(...acked.map((w) => w.version))
    await waitForVersion(proxy2, top, 20_000)
    for (const w of acked) expect((await call(proxy2.url, w.path)).status, w.path).toBe(200)
    // the killed admin comes back on the same ports: its proxy resumes from the version it holds
    stopped.push(adminA)
    // same prefix: the cluster token its proxy holds is the one in that prefix
    adminA = await startAdmin({ prefix: adminA.prefix, env: { ...db.env, KONG_ADMIN_LISTEN: `127.0.0.1:${adminA.port}`, KONG_CLUSTER_LISTEN: `127.0.0.1:${adminA.clusterPort}` } })
    apiA = new AdminClient(adminA.url)
    const routes = (await apiA.get('/routes?size=1000')).body.data.map((r: any) => r.paths[0])
    for (const w of acked) expect(routes).toContain(w.path)
    await waitForVersion(proxy1, top, 20_000)
    for (const w of acked) expect((await call(proxy1.url, w.path)).status, w.path).toBe(200)
  })

  it('accepts on proxy 2 an oauth2 token minted on proxy 1, and revokes it there for both', async () => {
    const config = { enable_password_grant: true, enable_revocation_endpoint: true, accept_http_if_already_terminated: true, provision_key: 'pk', scopes: ['email'] }
    await ok(apiA.post('/services', { name: 'oa', url: upstream.url }))
    await ok(apiA.post('/services/oa/routes', { paths: ['/oa'] }))
    await ok(apiB.post('/services/oa/plugins', { name: 'oauth2', config }))
    await ok(apiB.post('/consumers', { username: 'oa-owner' }))
    const client = { client_id: 'oa-app', client_secret: 'oa-secret' }
    const last = await ok(apiA.post('/consumers/oa-owner/oauth2', { name: 'app', ...client, redirect_uris: ['http://app.test/cb'] }))
    await bothAt(last.version)
    const minted = await callTerminated(proxy1.url, '/oa/oauth2/token', { json: { ...client, grant_type: 'password', provision_key: 'pk', authenticated_userid: 'clark', scope: 'email' } })
    expect(minted.status, minted.text).toBe(200)
    const token = minted.body.access_token
    expect((await call(proxy2.url, '/oa/x', { headers: bearer(token) })).status).toBe(200)
    expect((await call(proxy1.url, '/oa/x', { headers: bearer(token) })).status).toBe(200)
    // both admins see the token row in the shared database
    expect((await apiB.get(`/oauth2_tokens/${token}`)).status).toBe(200)
    const revoked = await callTerminated(proxy2.url, '/oa/oauth2/revoke', { form: { ...client, token } })
    expect(revoked.status, revoked.text).toBe(200)
    expect((await call(proxy2.url, '/oa/x', { headers: bearer(token) })).status).toBe(401)
    await eventually(async () => (await call(proxy1.url, '/oa/x', { headers: bearer(token) })).status === 401, 5000)
  })
})
