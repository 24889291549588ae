// The README's "Running on Postgres" example, run as written against two admins and two proxies on a fresh
// Postern database (ports rewritten): a service written through admin 1 and its route through admin 2 are
// served by both proxies. Its blocks carry `readme-test:postgres-*` markers, which the main README run skips.
import { readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runDoc } from '../support/doc-runner.ts'
import { createPgDatabase, type PgDatabase } from '../support/pg.ts'
import { ROOT, startAdmin, startProxy, type AdminProc, type ProxyProc } from '../support/processes.ts'
import { startEchoUpstream, type EchoUpstream } from '../fixtures/echo-upstream.ts'

let db: PgDatabase
let up: EchoUpstream
let admins: AdminProc[] = []
let proxies: ProxyProc[] = []

beforeAll(async () => {
  db = await createPgDatabase()
  up = await startEchoUpstream()
  admins = [await startAdmin({ env: db.env }), await startAdmin({ env: db.env })]
  proxies = await Promise.all(admins.map((a) => startProxy({ clusterPort: a.clusterPort, env: { ...db.env, KONG_PROXY_LISTEN: '127.0.0.1:0' } })))
})
afterAll(async () => {
  await Promise.all([...proxies, ...admins].map((p) => p.stop()))
  for (const p of [...proxies, ...admins]) rmSync(p.prefix, { recursive: true, force: true })
  await up?.close()
  await db?.drop()
})

describe('README: Running on Postgres', () => {
  it('runs as written on two admins and two proxies', async () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
    const start = readme.indexOf('## Running on Postgres')
    expect(start).toBeGreaterThan(0)
    const section = readme.slice(start, readme.indexOf('\n## ', start + 1)).replaceAll('readme-test:postgres-', 'readme-test:')
    const count = await runDoc(section, {
      adminUrl: admins[0].url,
      proxies,
      cwd: ROOT,
      replacements: [
        ['localhost:8001', `127.0.0.1:${admins[0].port}`],
        ['localhost:8011', `127.0.0.1:${admins[1].port}`],
        ['localhost:8000', `127.0.0.1:${proxies[0].port}`],
        ['localhost:8010', `127.0.0.1:${proxies[1].port}`],
        ['127.0.0.1:9000', `127.0.0.1:${up.port}`],
      ],
    })
    expect(count).toBe(4)
  })
})
