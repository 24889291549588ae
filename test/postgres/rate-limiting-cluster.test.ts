// rate-limiting's `cluster` policy on Postgres: two proxies on two admins, one database, one counter
// (ratelimiting_metrics in Postgres), exact under concurrent requests.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import pg from 'pg'
import { startAdmin, startProxy, waitForVersion, type AdminProc, type ProxyProc } from '../support/processes.ts'
import { AdminClient } from '../support/admin-client.ts'
import { createPgDatabase, PG, type PgDatabase } from '../support/pg.ts'
import { startEchoUpstream, type EchoUpstream } from '../fixtures/echo-upstream.ts'
import { awayFromBoundary, get, passed } from '../plugins/rate-limiting/harness.ts'

let db: PgDatabase
let up: EchoUpstream
const admins: AdminProc[] = []
const proxies: ProxyProc[] = []

beforeAll(async () => {
  db = await createPgDatabase()
  up = await startEchoUpstream()
  admins.push(await startAdmin({ env: db.env }), await startAdmin({ env: db.env }))
  for (const a of admins) proxies.push(await startProxy({ clusterPort: a.clusterPort, prefix: undefined, env: db.env }))
})
afterAll(async () => {
  await Promise.all([...proxies.map((p) => p.stop()), ...admins.map((a) => a.stop())])
  await up?.close()
  await db?.drop()
})

describe('rate-limiting cluster policy on Postgres', () => {
  it('counts once across two proxies of two admins, exactly under concurrency', async () => {
    const api = new AdminClient(admins[0].url)
    await api.post('/services', { name: 'svc', url: up.url })
    const route = (await api.post('/services/svc/routes', { name: 'limited', paths: ['/limited'] })).body
    const r = await api.post('/routes/limited/plugins', { name: 'rate-limiting', config: { policy: 'cluster', minute: 7 } })
    expect(r.status, r.text).toBe(201)
    await Promise.all(proxies.map((p) => waitForVersion(p, r.version, 20_000)))
    await awayFromBoundary(60, 15)
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => get(proxies[i % 2], '/limited')))
    expect(passed(results)).toBe(7)
    expect(results.filter((x) => x.status === 429)).toHaveLength(23)
    const c = new pg.Client({ ...PG, database: db.name })
    await c.connect()
    try {
      const row = await c.query("SELECT value FROM ratelimiting_metrics WHERE route_id = $1 AND period = 'minute'", [route.id])
      expect(Number(row.rows[0].value)).toBe(7)
    } finally {
      await c.end()
    }
  })
})
