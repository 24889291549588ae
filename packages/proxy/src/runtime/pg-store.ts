// The runtime-data store (PdkStore) on Postgres: oauth2 codes and tokens in the configured database, so a
// token minted by a proxy on one machine is accepted (and revoked) by every proxy on that database. The
// tables are the admin's (migrations from drizzle-pg/), emitted from the same entity declarations.
import pg from 'pg'
import { and, eq, gt, inArray, isNull, lte, or, type SQL } from 'drizzle-orm'
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres'
import { nowSeconds, type Catalogue, type Entity, type EntityDef, type PdkStore, type PdkStoreWriteOptions, type PgSettings } from '@postern/shared'
import type { RuntimeStoreOptions } from './store.ts'

const TTL_FIELD = 'purge_at'
const VALIDATION = { plugins: new Map(), op: 'insert' as const }

export class PgRuntimeStore implements PdkStore {
  private readonly pool: pg.Pool
  private readonly orm: NodePgDatabase
  private readonly defs = new Map<string, EntityDef>()
  private readonly timer: NodeJS.Timeout
  private readonly now: () => number

  constructor(s: PgSettings, catalogue: Catalogue, private opts: RuntimeStoreOptions = {}) {
    for (const def of catalogue.entities) if (!def.exportable) this.defs.set(def.name, def)
    this.pool = new pg.Pool({
      host: s.host,
      port: s.port,
      user: s.user,
      password: s.password,
      database: s.database,
      ssl: s.ssl ? { rejectUnauthorized: s.sslVerify } : false,
      connectionTimeoutMillis: s.timeout,
      options: s.schema ? `-c search_path=${s.schema}` : undefined,
      max: s.poolSize,
    })
    this.pool.on('error', () => {})
    this.orm = drizzle({ client: this.pool })
    this.now = opts.now ?? nowSeconds
    this.timer = setInterval(() => void this.purgeSafely(), opts.purgeIntervalMs ?? 60_000)
    this.timer.unref()
  }

  async insert(entity: string, row: Record<string, unknown>, opts: PdkStoreWriteOptions = {}): Promise<Entity> {
    const def = this.def(entity)
    const input = { ...row }
    if (opts.ttl !== undefined && TTL_FIELD in def.fields) input[TTL_FIELD] = this.now() + opts.ttl
    const e = def.validate(input, VALIDATION)
    await this.orm.insert(def.pgTable).values(def.toRow(e))
    return e
  }

  async findOne(entity: string, where: Record<string, unknown>): Promise<Entity | undefined> {
    const def = this.def(entity)
    const rows = await this.orm.select().from(def.pgTable).where(this.where(def, where)).limit(1)
    return rows.length ? def.fromRow(rows[0] as Record<string, unknown>) : undefined
  }

  async update(entity: string, where: Record<string, unknown>, patch: Record<string, unknown>, opts: PdkStoreWriteOptions = {}): Promise<number> {
    const def = this.def(entity)
    const set: Record<string, unknown> = {}
    for (const [f, v] of Object.entries(patch)) {
      const field = def.fields[f]
      if (!field) throw new Error(`'${f}' is not a field of ${def.name}`)
      set[def.columnOf(f)] = field.kind === 'foreign' ? ((v as { id?: string } | null)?.id ?? null) : v
    }
    if (opts.ttl !== undefined && TTL_FIELD in def.fields) set[def.columnOf(TTL_FIELD)] = this.now() + opts.ttl
    if (!Object.keys(set).length) return 0
    const r = await this.orm.update(def.pgTable).set(set).where(this.where(def, where))
    return r.rowCount ?? 0
  }

  /** Atomic counter (rate-limiting's cluster policy), as the SQLite store's: one upsert, the new value returned. */
  async incr(entity: string, key: Record<string, unknown>, field: string, by: number, opts: PdkStoreWriteOptions = {}): Promise<number> {
    const def = this.def(entity)
    const pk = def.primaryKey ?? Object.keys(key)
    const value = def.columnOf(field)
    const hasTtl = TTL_FIELD in def.fields
    const ttl = opts.ttl !== undefined && hasTtl
    const cols = [...pk.map((f) => def.columnOf(f)), value, ...(ttl ? [def.columnOf(TTL_FIELD)] : [])]
    const params: unknown[] = [...pk.map((f) => { const v = key[f]; return def.fields[f]?.kind === 'foreign' ? ((v as { id?: string } | null)?.id ?? null) : v }), by, ...(ttl ? [this.now() + opts.ttl!] : [])]
    const t = `"${def.name}"`
    // a row past its purge_at but not yet purged counts as absent: it restarts at `by` with a fresh TTL
    const expired = hasTtl ? `${t}."${def.columnOf(TTL_FIELD)}" <= $${params.length + 1}` : 'false'
    const sets = [`"${value}" = CASE WHEN ${expired} THEN excluded."${value}" ELSE ${t}."${value}" + excluded."${value}" END`]
    if (hasTtl) sets.push(`"${def.columnOf(TTL_FIELD)}" = CASE WHEN ${expired} THEN excluded."${def.columnOf(TTL_FIELD)}" ELSE ${t}."${def.columnOf(TTL_FIELD)}" END`)
    const text = `INSERT INTO ${t} (${cols.map((c) => `"${c}"`).join(', ')}) VALUES (${cols.map((_, i) => `$${i + 1}`).join(', ')}) ` +
      `ON CONFLICT (${pk.map((f) => `"${def.columnOf(f)}"`).join(', ')}) DO UPDATE SET ${sets.join(', ')} RETURNING "${value}" AS v`
    const r = await this.pool.query(text, hasTtl ? [...params, this.now()] : params)
    return Number(r.rows[0].v)
  }

  async delete(entity: string, id: string): Promise<void> {
    const def = this.def(entity)
    await this.orm.delete(def.pgTable).where(eq(def.pgTable.id, id))
  }

  async deleteWhere(entity: string, where: Record<string, unknown>): Promise<number> {
    const def = this.def(entity)
    const r = await this.orm.delete(def.pgTable).where(this.where(def, where))
    return r.rowCount ?? 0
  }

  /** Delete rows whose TTL has passed, a bounded batch per table and sweep. */
  async purge(): Promise<number> {
    let total = 0
    for (const def of this.defs.values()) {
      if (!(TTL_FIELD in def.fields)) continue
      // by ctid, so tables keyed by several columns (ratelimiting_metrics) purge like those keyed by id
      const col = `"${def.columnOf(TTL_FIELD)}"`
      const r = await this.pool.query(`DELETE FROM "${def.name}" WHERE ctid IN (SELECT ctid FROM "${def.name}" WHERE ${col} <= $1 LIMIT $2)`, [this.now(), this.opts.purgeBatch ?? 1000])
      total += r.rowCount ?? 0
    }
    return total
  }

  async close(): Promise<void> {
    clearInterval(this.timer)
    await this.pool.end()
  }

  private async purgeSafely(): Promise<void> {
    try {
      const n = await this.purge()
      if (n) this.opts.log?.debug('purged expired runtime rows', { rows: n })
    } catch (e) {
      this.opts.log?.warn('purging expired runtime rows failed; will retry', { error: String(e) })
    }
  }

  private def(entity: string): EntityDef {
    const def = this.defs.get(entity)
    if (!def) throw new Error(`'${entity}' is not runtime data (only entities declared with exportable: false are)`)
    return def
  }

  /** Equality on every field of `where` (foreign fields by `{ id }`, null as IS NULL), live rows only. */
  private where(def: EntityDef, where: Record<string, unknown>): SQL | undefined {
    const t = def.pgTable
    const parts: (SQL | undefined)[] = []
    for (const [f, v] of Object.entries(where)) {
      const field = def.fields[f]
      if (!field) throw new Error(`'${f}' is not a field of ${def.name}`)
      const value = field.kind === 'foreign' ? ((v as { id?: string } | null)?.id ?? null) : v
      const col = t[def.columnOf(f)]
      parts.push(value === null || value === undefined ? isNull(col) : eq(col, value))
    }
    if (TTL_FIELD in def.fields) {
      const col = t[def.columnOf(TTL_FIELD)]
      parts.push(or(isNull(col), gt(col, this.now())))
    }
    return parts.length ? and(...parts) : undefined
  }
}
