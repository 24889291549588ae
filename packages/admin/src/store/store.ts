// The generic entity store: CRUD for every declared entity in one SQLite transaction per request, with
// Kong's foreign-key, uniqueness and cascade rules, and one change event per written row.
import { and, asc, eq, gt, isNull, ne, or, sql, type SQL } from 'drizzle-orm'
import type { EventEmitter } from 'eventemitter3'
import { PosternError, luaTable, isUuid, nowSeconds, type Catalogue, type ChangeEvent, type Entity, type EntityDef, type ValidationContext } from '@postern/shared'
import type { Db } from './database.ts'
import { EventLog } from './events.ts'

/** Runtime rows with a TTL carry their deadline here (epoch seconds; null = never). */
const TTL_FIELD = 'purge_at'
const expired = (e: Entity) => typeof e[TTL_FIELD] === 'number' && (e[TTL_FIELD] as number) <= nowSeconds()

export interface ListOptions {
  size: number
  offset?: string
  tags?: { all: string[] } | { any: string[] }
  where?: Record<string, unknown>
}

export class Store {
  readonly events: EventLog
  private pending: ChangeEvent[] | null = null

  constructor(readonly db: Db, readonly catalogue: Catalogue, private bus: EventEmitter) {
    this.events = new EventLog(db.sqlite)
  }

  get validation(): ValidationContext {
    return {
      plugins: this.catalogue.plugins as any,
      op: 'insert',
      find: (entity, id) => this.findBy(this.catalogue.entity(entity)!, 'id', id),
      findAll: (entity, where) => this.findAll(this.catalogue.entity(entity)!, where),
    }
  }

  /** Run `fn` in one transaction; events appended inside are published after commit. */
  write<T>(fn: () => T): { result: T; version: number; events: ChangeEvent[] } {
    const collected: ChangeEvent[] = []
    this.pending = collected
    try {
      const result = this.db.sqlite.transaction(fn).immediate()
      const version = collected.length ? collected[collected.length - 1].version : this.events.head().version
      if (collected.length) this.bus.emit('events', collected)
      return { result, version, events: collected }
    } finally {
      this.pending = null
    }
  }

  private emit(def: EntityDef, op: ChangeEvent['op'], e: Entity): void {
    if (!this.pending) throw new Error('write outside a transaction')
    this.pending.push(this.events.append(def.name, op, e.id, op === 'delete' ? { id: e.id } : e))
  }

  private col(def: EntityDef, field: string): any {
    return (def.table as any)[def.columnOf(field)]
  }

  /** Find by id (when the text is a UUID) or by the endpoint key, as Kong resolves `{id or key}`. A row past
   * its TTL (`purge_at`) is gone at once, as Kong's TTL rows are, before the purge pass deletes it. */
  lookup(def: EntityDef, idOrKey: string): Entity | undefined {
    let e: Entity | undefined
    if (isUuid(idOrKey)) e = this.findBy(def, 'id', idOrKey.toLowerCase())
    else if (def.keyVia) {
      const via = this.catalogue.entity(def.keyVia.entity)!
      const child = this.findBy(via, via.endpointKey!, idOrKey)
      e = child ? this.findBy(def, 'id', child[def.keyVia.field].id) : undefined
    } else if (def.endpointKey) e = this.findBy(def, def.endpointKey, idOrKey)
    return e && !expired(e) ? e : undefined
  }

  findBy(def: EntityDef, field: string, value: unknown): Entity | undefined {
    const f = def.fields[field]
    const v = f?.kind === 'foreign' ? (value as any)?.id : value
    const row = this.db.orm.select().from(def.table).where(eq(this.col(def, field), v)).get()
    return row ? def.fromRow(row as any) : undefined
  }

  findAll(def: EntityDef, where: Record<string, unknown> = {}): Entity[] {
    const conds = Object.entries(where).map(([k, v]) => this.cond(def, k, v))
    const q = this.db.orm.select().from(def.table)
    const rows = (conds.length ? q.where(and(...conds)) : q).all()
    return rows.map((r: any) => def.fromRow(r))
  }

  private cond(def: EntityDef, field: string, value: unknown): SQL {
    const f = def.fields[field]
    const v = f?.kind === 'foreign' ? ((value as any)?.id ?? null) : value
    return v === null || v === undefined ? isNull(this.col(def, field)) : eq(this.col(def, field), v as any)
  }

  list(def: EntityDef, opts: ListOptions): { data: Entity[]; offset?: string } {
    const conds: SQL[] = Object.entries(opts.where ?? {}).map(([k, v]) => this.cond(def, k, v))
    if (opts.offset !== undefined) conds.push(gt(this.col(def, 'id'), decodeOffset(opts.offset)))
    if (TTL_FIELD in def.fields) conds.push(or(isNull(this.col(def, TTL_FIELD)), gt(this.col(def, TTL_FIELD), nowSeconds()))!)
    if (opts.tags) {
      const tagCol = this.col(def, 'tags')
      const one = (tag: string) => sql`EXISTS (SELECT 1 FROM json_each(${tagCol}) WHERE json_each.value = ${tag})`
      if ('all' in opts.tags) for (const tag of opts.tags.all) conds.push(one(tag))
      else conds.push(sql`(${sql.join(opts.tags.any.map(one), sql` OR `)})`)
    }
    const q = this.db.orm.select().from(def.table)
    const rows = (conds.length ? q.where(and(...conds)) : q)
      .orderBy(asc(this.col(def, 'id')))
      .limit(opts.size + 1)
      .all()
    const data = rows.slice(0, opts.size).map((r: any) => def.fromRow(r))
    return rows.length > opts.size ? { data, offset: encodeOffset(data[data.length - 1].id) } : { data }
  }

  /** Insert a new entity (POST). `forced` overrides foreign fields from a nested URL. */
  create(def: EntityDef, input: Record<string, unknown>, forced: Record<string, unknown> = {}): Entity {
    const entity = def.validate({ ...input, ...forced }, this.validation)
    this.resolveForeign(def, entity)
    if (this.findBy(def, 'id', entity.id)) {
      throw new PosternError('PRIMARY_KEY_VIOLATION', `primary key violation on key '${luaTable({ id: entity.id })}'`, { fields: { id: entity.id } })
    }
    this.checkUnique(def, entity)
    this.db.orm.insert(def.table).values(def.toRow(entity)).run()
    this.emit(def, 'create', entity)
    return entity
  }

  /** PUT: full replacement of the entity at `existing` (or a new one with `identity`). */
  upsert(def: EntityDef, existing: Entity | undefined, identity: Record<string, unknown>, input: Record<string, unknown>, forced: Record<string, unknown> = {}): Entity {
    const body = { ...input, ...identity, ...forced }
    if (existing) body.id = existing.id
    const entity = def.validate(body, this.validation)
    this.resolveForeign(def, entity)
    this.checkUnique(def, entity)
    if (existing) {
      this.db.orm.update(def.table).set(def.toRow(entity)).where(eq(this.col(def, 'id'), existing.id)).run()
      this.emit(def, 'update', entity)
    } else {
      this.db.orm.insert(def.table).values(def.toRow(entity)).run()
      this.emit(def, 'create', entity)
    }
    return entity
  }

  /** PATCH: merge `patch` into `existing` (records merged field by field), validate the whole. */
  update(def: EntityDef, existing: Entity, patch: Record<string, unknown>, forced: Record<string, unknown> = {}): Entity {
    const merged: Record<string, unknown> = { ...existing }
    for (const [k, v] of Object.entries(patch)) {
      const f = def.fields[k]
      if (f?.kind === 'record' && isObject(v) && isObject(merged[k])) merged[k] = deepMerge(merged[k] as object, v)
      else merged[k] = v
    }
    Object.assign(merged, forced)
    if ('updated_at' in def.fields) merged.updated_at = nowSeconds()
    merged.id = existing.id
    const entity = def.validate(merged, { ...this.validation, op: 'update', patch, previous: existing })
    this.resolveForeign(def, entity)
    this.checkUnique(def, entity)
    this.db.orm.update(def.table).set(def.toRow(entity)).where(eq(this.col(def, 'id'), existing.id)).run()
    this.emit(def, 'update', entity)
    return entity
  }

  /** DELETE with Kong's rules: restricted children refuse, cascading children go first (each an event). */
  remove(def: EntityDef, entity: Entity): void {
    for (const child of this.catalogue.entities) {
      for (const fk of child.foreignKeys) {
        if (fk.entity !== def.name) continue
        const rows = this.findAll(child, { [fk.field]: { id: entity.id } })
        if (!rows.length) continue
        if (fk.onDelete === 'restrict') {
          throw new PosternError('FOREIGN_KEY_VIOLATION', `an existing '${child.name}' entity references this '${def.name}' entity`, { fields: { '@referenced_by': child.name } })
        }
        for (const row of rows) this.remove(child, row)
      }
    }
    this.db.orm.delete(def.table).where(eq(this.col(def, 'id'), entity.id)).run()
    this.emit(def, 'delete', entity)
  }

  /** `{ id }` must exist (code 4); `{ name: ... }` is resolved through the parent's unique fields (code 13). */
  private resolveForeign(def: EntityDef, entity: Entity): void {
    for (const fk of def.foreignKeys) {
      const ref = entity[fk.field]
      if (!ref) continue
      const parentDef = this.catalogue.entity(fk.entity)!
      if (ref.id !== undefined) {
        if (!this.findBy(parentDef, 'id', ref.id)) {
          throw new PosternError('FOREIGN_KEY_VIOLATION', `the foreign key '${luaTable({ id: ref.id })}' does not reference an existing '${fk.entity}' entity.`, { fields: { [fk.field]: { id: ref.id } } })
        }
        entity[fk.field] = { id: ref.id }
        continue
      }
      const [key, value] = Object.entries(ref)[0] as [string, unknown]
      const field = parentDef.fields[key]
      const found = field?.unique || key === parentDef.endpointKey ? this.findBy(parentDef, key, value) : undefined
      if (!found) {
        const msg = `the foreign key cannot be resolved with '${luaTable({ [key]: value })}' for an existing '${fk.entity}' entity`
        throw new PosternError('FOREIGN_KEYS_UNRESOLVED', `foreign key unresolved (${fk.field}.${key}: ${msg})`, { fields: { [fk.field]: { [key]: msg } } })
      }
      entity[fk.field] = { id: found.id }
    }
  }

  private checkUnique(def: EntityDef, entity: Entity): void {
    for (const field of def.uniqueFields) {
      const v = entity[field]
      if (v === null || v === undefined) continue
      const other = this.db.orm.select().from(def.table).where(and(eq(this.col(def, field), v), ne(this.col(def, 'id'), entity.id))).get()
      // a row past its TTL is already gone for Kong (its database deleted it): it yields instead of conflicting
      if (other && expired(def.fromRow(other as any))) {
        this.remove(def, def.fromRow(other as any))
        continue
      }
      if (other) throw new PosternError('UNIQUE_VIOLATION', `UNIQUE violation detected on '${luaTable({ [field]: v })}'`, { fields: { [field]: v } })
    }
    if (def.uniqueTogether) {
      const conds = def.uniqueTogether.map((f) => this.cond(def, f, entity[f]))
      const other = this.db.orm.select().from(def.table).where(and(...conds, ne(this.col(def, 'id'), entity.id))).get()
      if (other) {
        const key: Record<string, unknown> = {}
        for (const f of def.uniqueTogether) key[f] = entity[f] ?? null
        throw new PosternError('UNIQUE_VIOLATION', `UNIQUE violation detected on '${luaTable(key)}'`, { fields: key })
      }
    }
  }

  /** Every exportable entity, for snapshots and `kong.yml` export. */
  snapshotEntities(): Record<string, Entity[]> {
    const out: Record<string, Entity[]> = {}
    for (const def of this.catalogue.entities) if (def.exportable) out[def.name] = this.findAll(def)
    return out
  }
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
