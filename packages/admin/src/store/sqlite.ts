// SQLite engine: <prefix>/postern.db (WAL, busy timeout, foreign keys), drizzle-kit migrations from drizzle/,
// and one BEGIN IMMEDIATE transaction per write. better-sqlite3 answers synchronously; the store awaits it.
import Database from 'better-sqlite3'
import { sql } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/better-sqlite3'
import { migrate } from 'drizzle-orm/better-sqlite3/migrator'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { createPrivateFile, restrictFiles, type EntityDef } from '@postern/shared'
import { events } from '@postern/shared/db/schema.ts'
import { SchemaTooNewError, type Db, type Head, type Tx } from './database.ts'
import { findMigrations, journal, tooNewMessage } from './migrations.ts'
import { EMPTY_HASH } from './events.ts'

export const MIGRATIONS_FOLDER = findMigrations('drizzle')

export function openSqlite(prefix: string, opts: { migrate?: boolean } = {}): Db {
  mkdirSync(prefix, { recursive: true, mode: 0o700 })
  const file = join(prefix, 'postern.db')
  createPrivateFile(file) // 0600 whatever the umask; SQLite gives -wal/-shm the database file's mode
  const sqlite = new Database(file)
  sqlite.pragma('journal_mode = WAL')
  restrictFiles(`${file}-wal`, `${file}-shm`)
  sqlite.pragma('busy_timeout = 5000')
  sqlite.pragma('foreign_keys = ON')
  sqlite.pragma('synchronous = NORMAL')
  const orm = drizzle(sqlite)
  checkNotNewer(sqlite)
  if (opts.migrate !== false) migrate(orm, { migrationsFolder: MIGRATIONS_FOLDER })
  const headStmt = sqlite.prepare('SELECT version, hash FROM postern_events ORDER BY version DESC LIMIT 1')
  const readHead = (): Head => (headStmt.get() as Head | undefined) ?? { version: 0, hash: EMPTY_HASH }
  // one connection: a write holds it until commit, so the next write (from another request) waits its turn
  let queue: Promise<unknown> = Promise.resolve()
  return {
    kind: 'sqlite',
    orm,
    events,
    table: (def: EntityDef) => def.table,
    transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
      const run = async () => {
        sqlite.exec('BEGIN IMMEDIATE')
        try {
          const result = await fn({ q: orm, head: readHead() })
          sqlite.exec('COMMIT')
          return result
        } catch (e) {
          if (sqlite.inTransaction) sqlite.exec('ROLLBACK')
          throw e
        }
      }
      const p = queue.then(run, run)
      queue = p.catch(() => {})
      return p
    },
    async readConsistent<T>(fn: (q: any) => Promise<T>): Promise<T> {
      // the store's reads complete without yielding to I/O, so nothing commits in between
      return fn(orm)
    },
    head: async () => readHead(),
    jsonHas: (column, tag) => sql`EXISTS (SELECT 1 FROM json_each(${column}) WHERE json_each.value = ${tag})`,
    // one process owns the file: nothing else commits to it
    subscribe: async () => async () => {},
    migrationStatus: async () => {
      const applied = appliedCount(sqlite)
      return journal(MIGRATIONS_FOLDER).map((e, i) => ({ name: e.tag, applied: i < applied }))
    },
    close: async () => {
      sqlite.close()
    },
  }
}

function hasMigrationsTable(sqlite: Database.Database): boolean {
  return !!sqlite.prepare(`SELECT name FROM sqlite_master WHERE type='table' AND name='__drizzle_migrations'`).get()
}

function appliedCount(sqlite: Database.Database): number {
  if (!hasMigrationsTable(sqlite)) return 0
  return (sqlite.prepare('SELECT count(*) AS n FROM __drizzle_migrations').get() as { n: number }).n
}

function checkNotNewer(sqlite: Database.Database): void {
  if (!hasMigrationsTable(sqlite)) return
  const last = sqlite.prepare('SELECT created_at FROM __drizzle_migrations ORDER BY created_at DESC LIMIT 1').get() as { created_at: number } | undefined
  const msg = last ? tooNewMessage(Number(last.created_at), journal(MIGRATIONS_FOLDER), 'KONG_PREFIX') : null
  if (msg) throw new SchemaTooNewError(msg)
}
