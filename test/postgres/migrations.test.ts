// Postgres migrations: `postern migrations list|up` from drizzle-pg/, KONG_PG_SCHEMA keeping a schema of its
// own, and a database migrated by a newer Postern refused with a clear message (at start and by the CLI).
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AdminClient } from '../support/admin-client.ts'
import { createPgDatabase, PG, type PgDatabase } from '../support/pg.ts'
import { ROOT, startAdmin, tempPrefix } from '../support/processes.ts'

let db: PgDatabase

beforeAll(async () => {
  db = await createPgDatabase()
})
afterAll(async () => {
  await db?.drop()
})

function postern(args: string[], env: Record<string, string>): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'bin/postern.ts'), ...args], {
    cwd: ROOT,
    env: { ...process.env, KONG_PREFIX: tempPrefix('pg-migrations'), KONG_LOG_LEVEL: 'warn', ...env },
    encoding: 'utf8',
  })
  return { status: r.status, out: `${r.stdout}${r.stderr}` }
}

async function query<T = any>(sql: string, params: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ ...PG, database: db.name })
  await c.connect()
  try {
    return (await c.query(sql, params)).rows
  } finally {
    await c.end()
  }
}

describe('postgres migrations', () => {
  it('lists pending migrations, applies them with `migrations up`, then lists them applied', async () => {
    const schemaEnv = { ...db.env, KONG_PG_SCHEMA: 'cli_only' }
    const before = postern(['migrations', 'list'], schemaEnv)
    expect(before.status, before.out).toBe(0)
    expect(before.out).toMatch(/^pending {2}0000_init$/m)
    const up = postern(['migrations', 'up'], schemaEnv)
    expect(up.status, up.out).toBe(0)
    expect(up.out).toMatch(/^applied {2}0000_init$/m)
    const tables = await query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'cli_only'`)
    expect(tables.map((t) => t.table_name)).toEqual(expect.arrayContaining(['services', 'routes', 'plugins', 'postern_events', 'postern_head', '__drizzle_migrations']))
    expect(up.out).toMatch(/^applied {2}0001_events_entity_index$/m)
    // the audit trail's lookup of an entity's previous event is answered by an index, not a scan of the log
    const idx = await query(`SELECT indexdef FROM pg_indexes WHERE schemaname = 'cli_only' AND indexname = 'postern_events_entity_idx'`)
    expect(idx[0]?.indexdef).toMatch(/\(entity, entity_id, version\)/)
  })

  it('keeps each KONG_PG_SCHEMA apart: two admins on two schemas of one database see only their own entities', async () => {
    const one = await startAdmin({ env: { ...db.env, KONG_PG_SCHEMA: 'tenant_one' } })
    const two = await startAdmin({ env: { ...db.env, KONG_PG_SCHEMA: 'tenant_two' } })
    try {
      expect((await new AdminClient(one.url).post('/services', { name: 'only-in-one', url: 'http://up.test' })).status).toBe(201)
      expect((await new AdminClient(two.url).get('/services/only-in-one')).status).toBe(404)
      expect((await new AdminClient(one.url).get('/services/only-in-one')).status).toBe(200)
      expect(await query(`SELECT name FROM tenant_one.services`)).toEqual([{ name: 'only-in-one' }])
    } finally {
      await Promise.all([one.stop(), two.stop()])
    }
  })

  it('refuses a database migrated by a newer Postern, at start and in `migrations up`', async () => {
    const env = { ...db.env, KONG_PG_SCHEMA: 'from_the_future' }
    expect(postern(['migrations', 'up'], env).status).toBe(0)
    await query(`INSERT INTO from_the_future.__drizzle_migrations (hash, created_at) VALUES ('future', $1)`, [Date.now() + 10 ** 12])
    const up = postern(['migrations', 'up'], env)
    expect(up.status).not.toBe(0)
    expect(up.out).toContain('the database schema is newer than this Postern')
    const start = postern(['start', 'admin'], { ...env, KONG_ADMIN_LISTEN: '127.0.0.1:0', KONG_CLUSTER_LISTEN: '127.0.0.1:0' })
    expect(start.status).not.toBe(0)
    expect(start.out).toContain('the database schema is newer than this Postern')
    expect(start.out).not.toMatch(/\n\s+at /) // a message, not a stack trace
  })

  it('stops with a message naming the server when Postgres cannot be reached', () => {
    const r = postern(['start', 'admin'], { ...db.env, KONG_PG_PORT: '1', KONG_ADMIN_LISTEN: '127.0.0.1:0', KONG_CLUSTER_LISTEN: '127.0.0.1:0' })
    expect(r.status).not.toBe(0)
    expect(r.out).toContain(`cannot connect to Postgres at 127.0.0.1:1 (database '${db.name}', user 'postgres')`)
    expect(r.out).not.toMatch(/\n\s+at /)
  })

  it('reports a database gone away on /status (reachable: false) and keeps answering', async () => {
    const own = await createPgDatabase()
    const admin = await startAdmin({ env: own.env })
    try {
      const api = new AdminClient(admin.url)
      const before = await api.get('/status')
      expect(before.body.database).toEqual({ reachable: true })
      await own.drop() // terminates the admin's connections and removes the database
      const after = await api.get('/status')
      expect(after.status).toBe(200)
      expect(after.body.database).toEqual({ reachable: false })
      expect(after.body.configuration_version).toBe(before.body.configuration_version)
    } finally {
      await admin.stop()
    }
  })
})
