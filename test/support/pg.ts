// A fresh Postgres database per test file (created as user postgres, dropped afterwards), and the store
// a black-box file runs against: POSTERN_TEST_STORE=postgres (the vitest `postgres` project) or SQLite.
import pg from 'pg'
import { randomBytes } from 'node:crypto'

export const PG = { host: process.env.POSTERN_TEST_PG_HOST ?? '127.0.0.1', port: Number(process.env.POSTERN_TEST_PG_PORT ?? 5432), user: 'postgres' }

export interface PgDatabase {
  name: string
  /** KONG_* settings pointing an admin or proxy at this database. */
  env: Record<string, string>
  drop(): Promise<void>
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ ...PG, database: 'postgres' })
  await c.connect()
  try {
    return await fn(c)
  } finally {
    await c.end()
  }
}

export async function createPgDatabase(): Promise<PgDatabase> {
  const name = `postern_${randomBytes(6).toString('hex')}`
  await admin((c) => c.query(`CREATE DATABASE "${name}"`))
  return {
    name,
    env: { KONG_DATABASE: 'postgres', KONG_PG_HOST: PG.host, KONG_PG_PORT: String(PG.port), KONG_PG_USER: PG.user, KONG_PG_DATABASE: name },
    drop: () => admin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => {}),
  }
}

/** Which engine this run's admin black-box files use. */
export const TEST_STORE: 'sqlite' | 'postgres' = process.env.POSTERN_TEST_STORE === 'postgres' ? 'postgres' : 'sqlite'

/** Settings for this run's store: a fresh database on Postgres, nothing extra on SQLite (the prefix holds it). */
export async function testStore(): Promise<{ env: Record<string, string>; drop(): Promise<void> }> {
  if (TEST_STORE === 'postgres') return createPgDatabase()
  return { env: {}, drop: async () => {} }
}
