// The generic entity store: CRUD for every declared entity in one transaction per request (SQLite or
// Postgres), with Kong's foreign-key, uniqueness and cascade rules, and one change event per written row.
import { AsyncLocalStorage } from 'node:async_hooks'
import { and, asc, eq, gt, isNull, ne, or, sql, type SQL } from 'drizzle-orm'
import type { EventEmitter } from 'eventemitter3'
import { PosternError, luaTable, isUuid, nowSeconds, type Catalogue, type ChangeEvent, type Entity, type EntityDef, type ValidationContext } from '@postern/shared'
import type { Db, Tx } from './database.ts'
import { EventLog } from './events.ts'
import { EventFeed } from './feed.ts'

/** Runtime rows with a TTL carry their deadline here (epoch seconds; null = never). */
const TTL_FIELD = 'purge_at'
const expired = (e: Entity) => typeof e[TTL_FIELD] === 'number' && (e[TTL_FIELD] as number) <= nowSeconds()

export interface ListOptions {
  size: number
  offset?: string
  tags?: { all: string[] } | { any: string[] }
  where?: Record<string, unknown>
}

interface WriteScope extends Tx {
  collected: ChangeEvent[]
}

export class Store {
  readonly events: EventLog
  /** Delivers committed events (this admin's and, on Postgres, every other admin's) to the bus in version order. */
  readonly feed: EventFeed
  private scope = new AsyncLocalStorage<WriteScope>()
  readonly validation: ValidationContext

  constructor(readonly db: Db, readonly catalogue: Catalogue, bus: EventEmitter) {
    this.events = new EventLog(db)
    this.feed = new EventFeed(this.events, bus)
    this.validation = {
      plugins: this.catalogue.plugins as any,
      op: 'insert',
      find: (entity, id) => this.findBy(this.catalogue.entity(entity)!, 'id', id),
      findAll: (entity, where) => this.findAll(this.catalogue.entity(entity)!, where),
    }
  }

  /** Learn the head and, on a shared database, follow other writers' commits. */
  async start(): Promise<void> {
    await this.feed.start(this.db)
  }

  /** The query handle: the current write transaction's, or the pool/connection outside one. */
  private get q(): any {
    return this.scope.getStore()?.q ?? this.db.orm
  }

  /** Run `fn` in one transaction; events appended inside are published after commit. */
  async write<T>(fn: () => Promise<T> | T): Promise<{ result: T; version: number; events: ChangeEvent[] }> {
    const collected: ChangeEvent[] = []
    let version = 0
    const result = await this.db.transaction(async (tx) => {
      const scope: WriteScope = Object.assign(tx, { collected })
      const r = await this.scope.run(scope, fn)
      version = scope.head.version
      return r
    })
    if (collected.length) {
      // in the writer's own async context (the feed may publish later, from another): the audit trail listens here
      for (const hook of this.onCommitted) hook(collected)
      this.feed.committed(collected)
    }
    return { result, version, events: collected }
  }

  /** Called with each committed write's events, in the async context of the request that wrote them. */
  readonly onCommitted: Array<(events: ChangeEvent[]) => void> = []

  private async emit(def: EntityDef, op: ChangeEvent['op'], e: Entity): Promise<void> {
    const scope = this.scope.getStore()
    if (!scope) throw new Error('write outside a transaction')
    scope.collected.push(await this.events.append(scope, def.name, op, e.id, op === 'delete' ? { id: e.id } : e))
  }

  private col(def: EntityDef, field: string): any {
    return this.db.table(def)[def.columnOf(field)]
  }

  /** Find by id (when the text is a UUID) or by the endpoint key, as Kong resolves `{id or key}`. A row past
   * its TTL (`purge_at`) is gone at once, as Kong's TTL rows are, before the purge pass deletes it. */
  async lookup(def: EntityDef, idOrKey: string): Promise<Entity | undefined> {
    let e: Entity | undefined
    if (isUuid(idOrKey)) e = await this.findBy(def, 'id', idOrKey.toLowerCase())
    else if (def.keyVia) {
      // `/certificates/{sni name}`: the entity a child names through its endpoint key
      const via = this.catalogue.entity(def.keyVia.entity)!
      const child = await this.findBy(via, via.endpointKey!, idOrKey)
      e = child ? await this.findBy(def, 'id', child[def.keyVia.field].id) : undefined
    } else if (def.endpointKey) e = await this.findBy(def, def.endpointKey, idOrKey)
    return e && !expired(e) ? e : undefined
  }

  async findBy(def: EntityDef, field: string, value: unknown): Promise<Entity | undefined> {
    const f = def.fields[field]
    const v = f?.kind === 'foreign' ? (value as any)?.id : value
    const rows = await this.q.select().from(this.db.table(def)).where(eq(this.col(def, field), v)).limit(1)
    return rows.length ? def.fromRow(rows[0]) : undefined
  }

  async findAll(def: EntityDef, where: Record<string, unknown> = {}, q: any = this.q): Promise<Entity[]> {
    const conds = Object.entries(where).map(([k, v]) => this.cond(def, k, v))
    const base = q.select().from(this.db.table(def))
    const rows = await (conds.length ? base.where(and(...conds)) : base)
    return rows.map((r: any) => def.fromRow(r))
  }

  private cond(def: EntityDef, field: string, value: unknown): SQL {
    const f = def.fields[field]
    const v = f?.kind === 'foreign' ? ((value as any)?.id ?? null) : value
    return v === null || v === undefined ? isNull(this.col(def, field)) : eq(this.col(def, field), v as any)
  }

  async list(def: EntityDef, opts: ListOptions): Promise<{ data: Entity[]; offset?: string }> {
    const conds: SQL[] = Object.entries(opts.where ?? {}).map(([k, v]) => this.cond(def, k, v))
    if (opts.offset !== undefined) conds.push(gt(this.col(def, 'id'), decodeOffset(opts.offset)))
    if (TTL_FIELD in def.fields) conds.push(or(isNull(this.col(def, TTL_FIELD)), gt(this.col(def, TTL_FIELD), nowSeconds()))!)
    if (opts.tags) {
      const tagCol = this.col(def, 'tags')
      const one = (tag: string) => this.db.jsonHas(tagCol, tag)
      if ('all' in opts.tags) for (const tag of opts.tags.all) conds.push(one(tag))
      else conds.push(sql`(${sql.join(opts.tags.any.map(one), sql` OR `)})`)
    }
    const base = this.q.select().from(this.db.table(def))
    const rows = await (conds.length ? base.where(and(...conds)) : base)
      .orderBy(asc(this.col(def, 'id')))
      .limit(opts.size + 1)
    const data = rows.slice(0, opts.size).map((r: any) => def.fromRow(r))
    return rows.length > opts.size ? { data, offset: encodeOffset(data[data.length - 1].id) } : { data }
  }

  /** Insert a new entity (POST). `forced` overrides foreign fields from a nested URL. */
  async create(def: EntityDef, input: Record<string, unknown>, forced: Record<string, unknown> = {}): Promise<Entity> {
    const entity = await def.validateAsync({ ...input, ...forced }, this.validation)
    await this.resolveForeign(def, entity)
    if (await this.findBy(def, 'id', entity.id)) {
      throw new PosternError('PRIMARY_KEY_VIOLATION', `primary key violation on key '${luaTable({ id: entity.id })}'`, { fields: { id: entity.id } })
    }
    await this.checkUnique(def, entity)
    await this.q.insert(this.db.table(def)).values(def.toRow(entity))
    await this.emit(def, 'create', entity)
    return entity
  }

  /** PUT: full replacement of the entity at `existing` (or a new one with `identity`). */
  async upsert(def: EntityDef, existing: Entity | undefined, identity: Record<string, unknown>, input: Record<string, unknown>, forced: Record<string, unknown> = {}): Promise<Entity> {
    const body = { ...input, ...identity, ...forced }
    if (existing) body.id = existing.id
    const entity = await def.validateAsync(body, this.validation)
    await this.resolveForeign(def, entity)
    await this.checkUnique(def, entity)
    // `existing` was read before the transaction: another admin may have created this id since
    existing ??= await this.findBy(def, 'id', entity.id)
    if (existing) {
      await this.q.update(this.db.table(def)).set(def.toRow(entity)).where(eq(this.col(def, 'id'), existing.id))
      await this.emit(def, 'update', entity)
    } else {
      await this.q.insert(this.db.table(def)).values(def.toRow(entity))
      await this.emit(def, 'create', entity)
    }
    return entity
  }

  /** PATCH: merge `patch` into `existing` (records merged field by field), validate the whole. */
  async update(def: EntityDef, existing: Entity, patch: Record<string, unknown>, forced: Record<string, unknown> = {}): Promise<Entity> {
    const merged: Record<string, unknown> = { ...existing }
    for (const [k, v] of Object.entries(patch)) {
      const f = def.fields[k]
      if (f?.kind === 'record' && isObject(v) && isObject(merged[k])) merged[k] = deepMerge(merged[k] as object, v)
      else merged[k] = v
    }
    Object.assign(merged, forced)
    if ('updated_at' in def.fields) merged.updated_at = nowSeconds()
    merged.id = existing.id
    const entity = await def.validateAsync(merged, { ...this.validation, op: 'update', patch, previous: existing })
    await this.resolveForeign(def, entity)
    await this.checkUnique(def, entity)
    await this.q.update(this.db.table(def)).set(def.toRow(entity)).where(eq(this.col(def, 'id'), existing.id))
    await this.emit(def, 'update', entity)
    return entity
  }

  /** DELETE with Kong's rules: restricted children refuse, cascading children go first (each an event). */
  async remove(def: EntityDef, entity: Entity): Promise<void> {
    for (const child of this.catalogue.entities) {
      for (const fk of child.foreignKeys) {
        if (fk.entity !== def.name) continue
        const rows = await this.findAll(child, { [fk.field]: { id: entity.id } })
        if (!rows.length) continue
        if (fk.onDelete === 'restrict') {
          throw new PosternError('FOREIGN_KEY_VIOLATION', `an existing '${child.name}' entity references this '${def.name}' entity`, { fields: { '@referenced_by': child.name } })
        }
        for (const row of rows) await this.remove(child, row)
      }
    }
    await this.q.delete(this.db.table(def)).where(eq(this.col(def, 'id'), entity.id))
    await this.emit(def, 'delete', entity)
  }

  /** `{ id }` must exist (code 4); `{ name: ... }` is resolved through the parent's unique fields (code 13). */
  private async resolveForeign(def: EntityDef, entity: Entity): Promise<void> {
    for (const fk of def.foreignKeys) {
      const ref = entity[fk.field]
      if (!ref) continue
      const parentDef = this.catalogue.entity(fk.entity)!
      if (ref.id !== undefined) {
        if (!(await this.findBy(parentDef, 'id', ref.id))) {
          throw new PosternError('FOREIGN_KEY_VIOLATION', `the foreign key '${luaTable({ id: ref.id })}' does not reference an existing '${fk.entity}' entity.`, { fields: { [fk.field]: { id: ref.id } } })
        }
        entity[fk.field] = { id: ref.id }
        continue
      }
      const [key, value] = Object.entries(ref)[0] as [string, unknown]
      const field = parentDef.fields[key]
      const found = field?.unique || key === parentDef.endpointKey ? await this.findBy(parentDef, key, value) : undefined
      if (!found) {
        const msg = `the foreign key cannot be resolved with '${luaTable({ [key]: value })}' for an existing '${fk.entity}' entity`
        throw new PosternError('FOREIGN_KEYS_UNRESOLVED', `foreign key unresolved (${fk.field}.${key}: ${msg})`, { fields: { [fk.field]: { [key]: msg } } })
      }
      entity[fk.field] = { id: found.id }
    }
  }

  private async checkUnique(def: EntityDef, entity: Entity): Promise<void> {
    const table = this.db.table(def)
    for (const field of def.uniqueFields) {
      const v = entity[field]
      if (v === null || v === undefined) continue
      const other = await this.q.select().from(table).where(and(eq(this.col(def, field), v), ne(this.col(def, 'id'), entity.id))).limit(1)
      // a row past its TTL is already gone for Kong (its database deleted it): it yields instead of conflicting
      if (other.length && expired(def.fromRow(other[0] as any))) {
        await this.remove(def, def.fromRow(other[0] as any))
        continue
      }
      if (other.length) throw new PosternError('UNIQUE_VIOLATION', `UNIQUE violation detected on '${luaTable({ [field]: v })}'`, { fields: { [field]: v } })
    }
    if (def.uniqueTogether) {
      const conds = def.uniqueTogether.map((f) => this.cond(def, f, entity[f]))
      const other = await this.q.select({ id: table.id }).from(table).where(and(...conds, ne(this.col(def, 'id'), entity.id))).limit(1)
      if (other.length) {
        const key: Record<string, unknown> = {}
        for (const f of def.uniqueTogether) key[f] = entity[f] ?? null
        throw new PosternError('UNIQUE_VIOLATION', `UNIQUE violation detected on '${luaTable(key)}'`, { fields: key })
      }
    }
  }

  /** Every exportable entity with the version they are at, read consistently (snapshots, `kong.yml` export). */
  snapshot(): Promise<{ version: number; hash: string; entities: Record<string, Entity[]> }> {
    return this.db.readConsistent(async (q) => {
      const head = await headIn(this.db, q)
      const entities: Record<string, Entity[]> = {}
      for (const def of this.catalogue.entities) if (def.exportable) entities[def.name] = await this.findAll(def, {}, q)
      return { ...head, entities }
    })
  }
}

/** The head as seen by the read transaction `q` (the newest event it can see). */
async function headIn(db: Db, q: any): Promise<{ version: number; hash: string }> {
  const t = db.events
  const rows = await q.select({ version: t.version, hash: t.hash }).from(t).orderBy(sql`${t.version} DESC`).limit(1)
  return rows.length ? { version: Number(rows[0].version), hash: rows[0].hash } : { version: 0, hash: '0'.repeat(32) }
}

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v)

function deepMerge(a: object, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...(a as Record<string, unknown>) }
  for (const [k, v] of Object.entries(b)) out[k] = isObject(v) && isObject(out[k]) ? deepMerge(out[k] as object, v) : v
  return out
}

export function encodeOffset(id: string): string {
  return Buffer.from(JSON.stringify([id])).toString('base64').replace(/=+$/, '')
}

export function decodeOffset(token: string): string {
  const bad = (why: string) => new PosternError('INVALID_OFFSET', `'${token}' is not a valid offset: ${why}`)
  // as ngx.decode_base64: standard alphabet, padding optional, but a lone trailing sextet is invalid
  const body = token.replace(/=+$/, '')
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(token) || body.length % 4 === 1) throw bad('bad base64 encoding')
  let parsed: unknown
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8'))
  } catch {
    throw bad('bad json encoding')
  }
  if (!Array.isArray(parsed) || typeof parsed[0] !== 'string') throw bad('bad json encoding')
  return parsed[0]
}
