// The store's view of a database engine: one interface served by SQLite (embedded default) and Postgres,
// so nothing above the store names a dialect. `openDatabase` picks the engine from the settings.
import type { SQL } from 'drizzle-orm'
import type { EntityDef, Settings } from '@postern/shared'

export interface Head {
  version: number
  hash: string
}

/** A writing transaction: the query handle, and the head it allocates versions from (locked for its duration). */
export interface Tx {
  q: any
  head: Head
}

export interface Db {
  readonly kind: 'sqlite' | 'postgres'
  /** The drizzle query root outside transactions. */
  readonly orm: any
  /** The drizzle table of an entity in this dialect. */
  table(def: EntityDef): any
  /** The change-event table. */
  readonly events: any
  /** One writing transaction; writers are serialised (BEGIN IMMEDIATE, or the Postgres head row lock). */
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T>
  /** Reads that must agree with each other (a snapshot and its version). */
  readConsistent<T>(fn: (q: any) => Promise<T>): Promise<T>
  /** Newest committed version. */
  head(): Promise<Head>
  /** `tag` is one of the JSON array column's elements. */
  jsonHas(column: any, tag: string): SQL
  /** Other writers' commits (Postgres LISTEN); `onCommit` gets the committed version. Resolves to a stop function. */
  subscribe(onCommit: (version: number | null) => void): Promise<() => Promise<void>>
  migrationStatus(): Promise<{ name: string; applied: boolean }[]>
  close(): Promise<void>
}

export class SchemaTooNewError extends Error {
  readonly code = 'POSTERN_SCHEMA_TOO_NEW'
}

/** Open (creating if needed) the configured database and migrate it unless told not to. */
export async function openDatabase(settings: Settings, opts: { migrate?: boolean } = {}): Promise<Db> {
  if (settings.database === 'postgres') {
    const { openPostgres } = await import('./postgres.ts')
    return openPostgres(settings.pg, opts)
  }
  const { openSqlite } = await import('./sqlite.ts')
  return openSqlite(settings.prefix, opts)
}
