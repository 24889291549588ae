// Opens <prefix>/postern.db (WAL, busy timeout, foreign keys) and applies drizzle-kit migrations.
import Database from 'better-sqlite3'
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3'
import { migrate } from 'drizzle-orm/better-sqlite3/migrator'
import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { join, resolve, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createPrivateFile, restrictFiles } from '@postern/shared'

/** drizzle/ at the workspace root, found from this file (source) or from dist/ (bundle). */
function findMigrations(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'drizzle')
    if (existsSync(join(candidate, 'meta/_journal.json'))) return candidate
    dir = resolve(dir, '..')
  }
  throw new Error('drizzle migrations folder not found')
}

export const MIGRATIONS_FOLDER = findMigrations()

export interface Db {
  sqlite: Database.Database
  orm: BetterSQLite3Database
  close(): void
}

export class SchemaTooNewError extends Error {
  readonly code = 'POSTERN_SCHEMA_TOO_NEW'
}

/** Open (creating if needed) and migrate. Refuses a database migrated by a newer Postern. */
export function openDatabase(prefix: string, opts: { migrate?: boolean } = {}): Db {
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
  return { sqlite, orm, close: () => sqlite.close() }
}

function journal(): { tag: string; when: number }[] {
  return JSON.parse(readFileSync(join(MIGRATIONS_FOLDER, 'meta/_journal.json'), 'utf8')).entries
}

/** Migration status for `postern migrations list`. */
export function migrationStatus(sqlite: Database.Database): { name: string; applied: boolean }[] {
  const applied = appliedCount(sqlite)
  return journal().map((e, i) => ({ name: e.tag, applied: i < applied }))
}

function appliedCount(sqlite: Database.Database): number {
  const exists = sqlite.prepare(`SELECT name FROM sqlite_master WHERE type='table' AND name='__drizzle_migrations'`).get()
  if (!exists) return 0
  return (sqlite.prepare('SELECT count(*) AS n FROM __drizzle_migrations').get() as { n: number }).n
}

function checkNotNewer(sqlite: Database.Database): void {
  const known = journal()
  const exists = sqlite.prepare(`SELECT name FROM sqlite_master WHERE type='table' AND name='__drizzle_migrations'`).get()
  if (!exists) return
  const last = sqlite.prepare('SELECT created_at FROM __drizzle_migrations ORDER BY created_at DESC LIMIT 1').get() as { created_at: number } | undefined
  const newest = known.length ? known[known.length - 1].when : 0
  if (last && Number(last.created_at) > newest) {
    throw new SchemaTooNewError(
      `the database schema is newer than this Postern (database migration ${last.created_at} > newest known ${newest}); upgrade Postern or use another KONG_PREFIX`,
    )
  }
}
