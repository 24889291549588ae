// Postgres engine (node-postgres pool under drizzle): migrations from drizzle-pg/ under an advisory lock so
// several admins may start together; every write locks the one-row head first, so versions are allocated
// in commit order across admins; a commit NOTIFYs `postern_events`, and a LISTEN connection tells the store.
import pg from 'pg'
import { sql } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/node-postgres'
import { readMigrationFiles } from 'drizzle-orm/migrator'
import type { EntityDef, PgSettings } from '@postern/shared'
import { events } from '@postern/shared/db/pg-schema.ts'
import { SchemaTooNewError, type Db, type Head, type Tx } from './database.ts'
import { findMigrations, journal, tooNewMessage } from './migrations.ts'
import { EMPTY_HASH } from './events.ts'

/** Start-up cannot reach the configured server: a message for the operator, not a stack trace. */
export class DatabaseUnreachableError extends Error {
  readonly code = 'POSTERN_DATABASE_UNREACHABLE'
}

export const PG_MIGRATIONS_FOLDER = findMigrations('drizzle-pg')
export const NOTIFY_CHANNEL = 'postern_events'
// any constant both admins agree on: serialises concurrent migrations
const MIGRATION_LOCK = 0x706f7374

export function pgClientConfig(s: PgSettings): pg.ClientConfig {
  return {
    host: s.host,
    port: s.port,
    user: s.user,
    password: s.password,
    database: s.database,
    ssl: s.ssl ? { rejectUnauthorized: s.sslVerify } : false,
    connectionTimeoutMillis: s.timeout,
    query_timeout: s.timeout * 12,
    options: s.schema ? `-c search_path=${s.schema}` : undefined,
  }
}

export async function openPostgres(s: PgSettings, opts: { migrate?: boolean } = {}): Promise<Db> {
  const pool = new pg.Pool({ ...pgClientConfig(s), max: s.poolSize })
  // an idle client losing its server is not fatal: the pool replaces it on the next checkout
  pool.on('error', () => {})
  const orm = drizzle({ client: pool })
  const migrationsSchema = s.schema ?? 'drizzle'
  const migrationsTable = `"${migrationsSchema}"."__drizzle_migrations"`
  try {
    const client = await pool.connect().catch((e: Error) => {
      throw new DatabaseUnreachableError(`cannot connect to Postgres at ${s.host}:${s.port} (database '${s.database}', user '${s.user}'): ${e.message}`)
    })
    try {
      await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK])
      if (s.schema) await client.query(`CREATE SCHEMA IF NOT EXISTS "${s.schema}"`)
      const exists = (await client.query('SELECT to_regclass($1) AS t', [migrationsTable])).rows[0].t
      if (exists) {
        const last = (await client.query(`SELECT max(created_at) AS w FROM ${migrationsTable}`)).rows[0].w
        const msg = last ? tooNewMessage(Number(last), journal(PG_MIGRATIONS_FOLDER), 'KONG_PG_DATABASE or KONG_PG_SCHEMA') : null
        if (msg) throw new SchemaTooNewError(msg)
      }
      if (opts.migrate !== false) {
        await migrateInto(drizzle({ client }), s.schema, migrationsSchema)
        await client.query('INSERT INTO postern_head (id, version, hash) VALUES (1, 0, $1) ON CONFLICT DO NOTHING', [EMPTY_HASH])
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => {})
      client.release()
    }
  } catch (e) {
    await pool.end().catch(() => {})
    throw e
  }
  const readHead = async (q: any, lock: boolean): Promise<Head> => {
    const r = await q.execute(lock ? sql`SELECT version, hash FROM postern_head WHERE id = 1 FOR UPDATE` : sql`SELECT version, hash FROM postern_head WHERE id = 1`)
    const row = r.rows[0]
    return row ? { version: Number(row.version), hash: row.hash } : { version: 0, hash: EMPTY_HASH }
  }
  return {
    kind: 'postgres',
    orm,
    events,
    table: (def: EntityDef) => def.pgTable,
    transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
      return orm.transaction(async (q) => {
        const tx: Tx = { q, head: await readHead(q, true) }
        const start = tx.head.version
        const result = await fn(tx)
        if (tx.head.version !== start) {
          // one round trip; the notification is delivered to listeners only if this transaction commits
          await q.execute(
            sql`WITH h AS (UPDATE postern_head SET version = ${tx.head.version}, hash = ${tx.head.hash} WHERE id = 1 RETURNING version) SELECT pg_notify(${NOTIFY_CHANNEL}, version::text) FROM h`,
          )
        }
        return result
      })
    },
    readConsistent<T>(fn: (q: any) => Promise<T>): Promise<T> {
      return orm.transaction((q) => fn(q), { isolationLevel: 'repeatable read', accessMode: 'read only' })
    },
    head: () => readHead(orm, false),
    jsonHas: (column, tag) => sql`EXISTS (SELECT 1 FROM json_array_elements_text(${column}) AS e(v) WHERE e.v = ${tag})`,
    subscribe: (onCommit) => listen(s, onCommit),
    migrationStatus: async () => {
      const exists = (await pool.query('SELECT to_regclass($1) AS t', [migrationsTable])).rows[0].t
      const applied = exists ? Number((await pool.query(`SELECT count(*) AS n FROM ${migrationsTable}`)).rows[0].n) : 0
      return journal(PG_MIGRATIONS_FOLDER).map((e, i) => ({ name: e.tag, applied: i < applied }))
    },
    close: () => pool.end(),
  }
}

/**
 * drizzle-kit's migrator, with the generated SQL's `"public".` references (foreign keys) pointed at
 * KONG_PG_SCHEMA, so a schema of one's own holds a complete copy; everything else lands there by search_path.
 */
async function migrateInto(orm: any, schema: string | undefined, migrationsSchema: string): Promise<void> {
  const config = { migrationsFolder: PG_MIGRATIONS_FOLDER, migrationsSchema }
  const migrations = readMigrationFiles(config)
  if (schema) for (const m of migrations) m.sql = m.sql.map((q) => q.replaceAll('"public".', `"${schema}".`))
  await orm.dialect.migrate(migrations, orm.session, config)
}

/**
 * LISTEN on a dedicated connection. `onCommit(version)` per notification; `onCommit(null)` after every
 * (re)connect, so the store catches up by version on whatever it missed while the connection was down.
 */
async function listen(s: PgSettings, onCommit: (version: number | null) => void): Promise<() => Promise<void>> {
  let client: pg.Client | null = null
  let stopped = false
  let timer: NodeJS.Timeout | undefined
  let delay = 100
  const connect = async (): Promise<void> => {
    const c = new pg.Client(pgClientConfig(s))
    c.on('error', () => {})
    c.on('end', () => {
      if (client === c) client = null
      if (!stopped) retry()
    })
    c.on('notification', (n) => onCommit(n.payload ? Number(n.payload) : null))
    await c.connect()
    await c.query(`LISTEN ${NOTIFY_CHANNEL}`)
    client = c
    delay = 100
    onCommit(null)
  }
  const retry = () => {
    if (stopped || timer) return
    timer = setTimeout(() => {
      timer = undefined
      connect().catch(() => {
        delay = Math.min(delay * 2, 5000)
        retry()
      })
    }, delay)
  }
  await connect()
  return async () => {
    stopped = true
    if (timer) clearTimeout(timer)
    await client?.end().catch(() => {})
  }
}
