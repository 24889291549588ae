// The runtime-data store (PdkStore) on SQLite: rows of `exportable: false` entities (oauth2 codes and tokens)
// written by whichever proxy mints them and read by every proxy opening the same file.
import Database from 'better-sqlite3'
import { drizzle } from 'drizzle-orm/better-sqlite3'
import { migrate } from 'drizzle-orm/better-sqlite3/migrator'
import { mkdirSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createPrivateFile, nowSeconds, restrictFiles, type Catalogue, type Entity, type EntityDef, type Logger, type PdkStore, type PdkStoreWriteOptions, type Settings } from '@postern/shared'

const MIGRATIONS_FOLDER = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../drizzle')
const TTL_FIELD = 'purge_at'
const MAX_BATCHES = 20
const JSON_KINDS = new Set(['array', 'set', 'map', 'record', 'json'])
// Entity validation needs a plugin catalogue only for `plugins` rows, which this store never writes.
const VALIDATION = { plugins: new Map(), op: 'insert' as const }

export interface RuntimeStoreOptions {
  log?: Logger
  /** Background purge period (default 60 s; the timer never keeps the process alive). */
  purgeIntervalMs?: number
  /** Rows deleted per statement, so one sweep never holds the write lock for long. */
  purgeBatch?: number
  now?: () => number
}

export class RuntimeStore implements PdkStore {
  private readonly sqlite: Database.Database
  private readonly defs = new Map<string, EntityDef>()
  private readonly statements = new Map<string, Database.Statement>()
  private readonly timer: NodeJS.Timeout
  private ready = false
  private readonly now: () => number
  private readonly batch: number

  constructor(readonly path: string, catalogue: Catalogue, private opts: RuntimeStoreOptions = {}) {
    for (const def of catalogue.entities) if (!def.exportable) this.defs.set(def.name, def)
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 })
    createPrivateFile(path)
    this.sqlite = new Database(path)
    this.sqlite.pragma('journal_mode = WAL')
    restrictFiles(`${path}-wal`, `${path}-shm`)
    this.sqlite.pragma('busy_timeout = 5000')
    this.sqlite.pragma('synchronous = NORMAL')
    // Foreign keys off on this connection (better-sqlite3 turns them on): the referenced credentials may live
    // only in the admin's file (a separate store), and the admin's connection cascades deletes when shared.
    this.sqlite.pragma('foreign_keys = OFF')
    this.now = opts.now ?? nowSeconds
    this.batch = opts.purgeBatch ?? 1000
    this.purgeSafely() // at start, when the tables already exist (never migrates: see ensureSchema)
    this.timer = setInterval(() => this.purgeSafely(), opts.purgeIntervalMs ?? 60_000)
    this.timer.unref()
  }

  async insert(entity: string, row: Record<string, unknown>, opts: PdkStoreWriteOptions = {}): Promise<Entity> {
    const def = this.def(entity)
    const input = { ...row }
    if (opts.ttl !== undefined && TTL_FIELD in def.fields) input[TTL_FIELD] = this.now() + opts.ttl
    const e = def.validate(input, VALIDATION)
    const cols = Object.entries(def.toRow(e))
    const sql = `INSERT INTO "${def.name}" (${cols.map(([c]) => `"${c}"`).join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`
    this.stmt(sql).run(...cols.map(([c, v]) => encode(def, c, v)))
    return e
  }

  async findOne(entity: string, where: Record<string, unknown>): Promise<Entity | undefined> {
    const def = this.def(entity)
    const w = this.where(def, where)
    const row = this.stmt(`SELECT * FROM "${def.name}" WHERE ${w.sql} LIMIT 1`).get(...w.params) as Record<string, unknown> | undefined
    return row ? decode(def, row) : undefined
  }

  async update(entity: string, where: Record<string, unknown>, patch: Record<string, unknown>, opts: PdkStoreWriteOptions = {}): Promise<number> {
    const def = this.def(entity)
    const set: Record<string, unknown> = { ...patch }
    if (opts.ttl !== undefined && TTL_FIELD in def.fields) set[TTL_FIELD] = this.now() + opts.ttl
    const cols = Object.entries(set).map(([f, v]) => {
      const field = def.fields[f]
      if (!field) throw new Error(`'${f}' is not a field of ${def.name}`)
      return [def.columnOf(f), field.kind === 'foreign' ? ((v as { id?: string } | null)?.id ?? null) : v] as const
    })
    if (!cols.length) return 0
    const w = this.where(def, where)
    const sql = `UPDATE "${def.name}" SET ${cols.map(([c]) => `"${c}" = ?`).join(', ')} WHERE ${w.sql}`
    return this.stmt(sql).run(...cols.map(([c, v]) => encode(def, c, v)), ...w.params).changes
  }

  async delete(entity: string, id: string): Promise<void> {
    const def = this.def(entity)
    this.stmt(`DELETE FROM "${def.name}" WHERE "id" = ?`).run(id)
  }

  async deleteWhere(entity: string, where: Record<string, unknown>): Promise<number> {
    const def = this.def(entity)
    const w = this.where(def, where)
    return this.stmt(`DELETE FROM "${def.name}" WHERE ${w.sql}`).run(...w.params).changes
  }

  async incr(entity: string, key: Record<string, unknown>, field: string, by: number, opts: PdkStoreWriteOptions = {}): Promise<number> {
    const def = this.def(entity)
    const pk = def.primaryKey ?? Object.keys(key)
    const value = def.columnOf(field)
    const ttl = opts.ttl !== undefined && TTL_FIELD in def.fields
    const cols = [...pk.map((f) => def.columnOf(f)), value, ...(ttl ? [def.columnOf(TTL_FIELD)] : [])]
    const params = [...pk.map((f) => encode(def, def.columnOf(f), key[f])), by, ...(ttl ? [this.now() + opts.ttl!] : [])]
    // a row past its purge_at but not yet purged counts as absent: it restarts at `by` with a fresh TTL
    const expired = TTL_FIELD in def.fields ? `"${def.name}"."${def.columnOf(TTL_FIELD)}" <= @now` : '0'
    const sets = [`"${value}" = CASE WHEN ${expired} THEN excluded."${value}" ELSE "${def.name}"."${value}" + excluded."${value}" END`]
    if (TTL_FIELD in def.fields) sets.push(`"${def.columnOf(TTL_FIELD)}" = CASE WHEN ${expired} THEN excluded."${def.columnOf(TTL_FIELD)}" ELSE "${def.name}"."${def.columnOf(TTL_FIELD)}" END`)
    const sql = `INSERT INTO "${def.name}" (${cols.map((c) => `"${c}"`).join(', ')}) VALUES (${cols.map(() => '?').join(', ')}) ` +
      `ON CONFLICT (${pk.map((f) => `"${def.columnOf(f)}"`).join(', ')}) DO UPDATE SET ${sets.join(', ')} RETURNING "${value}" AS v`
    const named = TTL_FIELD in def.fields ? [{ now: this.now() }] : []
    return (this.stmt(sql).get(...params, ...named) as { v: number }).v
  }

  /** Delete rows whose TTL has passed, in bounded batches; returns how many went. */
  purge(): number {
    if (!this.ready) {
      if (!this.tablesExist()) return 0
      this.ready = true
    }
    let total = 0
    for (const def of this.defs.values()) {
      if (!(TTL_FIELD in def.fields)) continue
      const col = def.columnOf(TTL_FIELD)
      const stmt = this.stmt(`DELETE FROM "${def.name}" WHERE rowid IN (SELECT rowid FROM "${def.name}" WHERE "${col}" <= ? LIMIT ?)`)
      // at most MAX_BATCHES per table and sweep: a backlog is worked off over several sweeps
      for (let i = 0, deleted = this.batch; i < MAX_BATCHES && deleted === this.batch; i++) {
        deleted = stmt.run(this.now(), this.batch).changes
        total += deleted
      }
    }
    return total
  }

  close(): void {
    clearInterval(this.timer)
    this.sqlite.close()
  }

  private purgeSafely(): void {
    try {
      const n = this.purge()
      if (n) this.opts.log?.debug('purged expired runtime rows', { rows: n })
    } catch (e) {
      this.opts.log?.warn('purging expired runtime rows failed; will retry', { error: String(e) })
    }
  }

  private def(entity: string): EntityDef {
    const def = this.defs.get(entity)
    if (!def) throw new Error(`'${entity}' is not runtime data (only entities declared with exportable: false are)`)
    if (!this.ready) this.ensureSchema()
    return def
  }

  /**
   * Tables are created by the admin's migrations when the store is the admin's file. A proxy with a file of
   * its own migrates it on first use (not at start, so it never races an admin migrating the same file).
   */
  private ensureSchema(): void {
    if (this.tablesExist()) return void (this.ready = true)
    try {
      migrate(drizzle(this.sqlite), { migrationsFolder: MIGRATIONS_FOLDER })
    } catch (e) {
      if (!this.tablesExist()) throw e
    }
    this.ready = true
  }

  private tablesExist(): boolean {
    const names = [...this.defs.keys()]
    if (!names.length) return true
    const found = this.stmt(`SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name IN (${names.map(() => '?').join(', ')})`).get(...names) as { n: number }
    return found.n === names.length
  }

  private where(def: EntityDef, where: Record<string, unknown>): { sql: string; params: unknown[] } {
    const parts: string[] = []
    const params: unknown[] = []
    for (const [f, v] of Object.entries(where)) {
      const field = def.fields[f]
      if (!field) throw new Error(`'${f}' is not a field of ${def.name}`)
      const value = field.kind === 'foreign' ? ((v as { id?: string } | null)?.id ?? null) : v
      if (value === null || value === undefined) parts.push(`"${def.columnOf(f)}" IS NULL`)
      else {
        parts.push(`"${def.columnOf(f)}" = ?`)
        params.push(encode(def, def.columnOf(f), value))
      }
    }
    if (TTL_FIELD in def.fields) {
      parts.push(`("${def.columnOf(TTL_FIELD)}" IS NULL OR "${def.columnOf(TTL_FIELD)}" > ?)`)
      params.push(this.now())
    }
    return { sql: parts.length ? parts.join(' AND ') : '1', params }
  }

  private stmt(sql: string): Database.Statement {
    let s = this.statements.get(sql)
    if (!s) this.statements.set(sql, (s = this.sqlite.prepare(sql)))
    return s
  }
}

function fieldOfColumn(def: EntityDef, column: string) {
  return def.fields[column] ?? def.fields[column.replace(/_id$/, '')]
}

/** Column values as drizzle's column modes store them: booleans as 0/1, arrays and records as JSON text. */
function encode(def: EntityDef, column: string, v: unknown): unknown {
  if (v === null || v === undefined) return null
  const kind = fieldOfColumn(def, column)?.kind
  if (kind === 'boolean') return v ? 1 : 0
  if (kind && JSON_KINDS.has(kind)) return JSON.stringify(v)
  return v
}

function decode(def: EntityDef, row: Record<string, unknown>): Entity {
  const out: Record<string, unknown> = {}
  for (const [column, v] of Object.entries(row)) {
    const kind = fieldOfColumn(def, column)?.kind
    out[column] = v === null ? null : kind === 'boolean' ? v === 1 : kind && JSON_KINDS.has(kind) ? JSON.parse(String(v)) : v
  }
  return def.fromRow(out)
}
