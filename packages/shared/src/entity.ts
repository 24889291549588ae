// defineEntity: one declaration drives the SQLite and Postgres tables, validation, admin endpoints, events and kong.yml.
import { primaryKey as compositeKey, sqliteTable, type SQLiteTableWithColumns } from 'drizzle-orm/sqlite-core'
import { pgTable, primaryKey as pgCompositeKey, type PgTableWithColumns } from 'drizzle-orm/pg-core'
import { pgColumnFor } from './pg-columns.ts'
import type { z } from 'zod'
import { isUuid, newId, nowSeconds, randomString, type Field } from './typedefs.ts'
import { issuesToFields } from './zod-kong.ts'
import { schemaViolation, type FieldErrors } from './errors.ts'
import { setOwn } from './own.ts'

export type Entity = Record<string, any> & { id: string }

/**
 * Values a write may show once in its own response but never stores or sends again (the plaintext of a
 * `hash_secret` oauth2 secret). Set by `refine` as a non-enumerable property, so rows and events skip it.
 */
export const REVEAL_ONCE = Symbol.for('postern.reveal-once')

export function revealOnce(e: Record<string, any>, values: Record<string, unknown>): void {
  Object.defineProperty(e, REVEAL_ONCE, { value: values, enumerable: false, configurable: true })
}

/** What validation can consult that is not in the entity itself (the enabled plugin catalogue). */
export interface ValidationContext {
  plugins: ReadonlyMap<string, { schema: z.ZodType; consumerScope?: boolean; protocols?: readonly string[] }>
  /** insert (POST/PUT) or update (PATCH: the merged entity is validated as a whole). */
  op: 'insert' | 'update'
  /** PATCH only: the fields as the client sent them, and the entity before the update (Kong's rbw_entity). */
  patch?: Readonly<Record<string, unknown>>
  previous?: Readonly<Entity>
  /** Read another entity by id (plugins check their route's protocols, as Kong's plugins DAO); async on a database. */
  find?: (entity: string, id: string) => MaybePromise<Entity | undefined>
  /** Every entity of a kind matching `where` (`{ service: { id } }`); async on a database. */
  findAll?: (entity: string, where: Record<string, unknown>) => MaybePromise<Entity[]>
}

export type MaybePromise<T> = T | Promise<T>

/** Continue with `v` now when it is a value, or once it resolves: a refine stays synchronous over in-memory lookups. */
export function andThen<T, R>(v: MaybePromise<T>, f: (x: T) => MaybePromise<R>): MaybePromise<R> {
  return v instanceof Promise ? v.then(f) : f(v)
}

export interface EntitySpec<F extends Record<string, Field>> {
  /** Kong's table name (`services`, `jwt_secrets`, `keyauth_credentials`). */
  name: string
  /** Admin collection path when it differs from the name (`jwts`, `key-auths`, `oauth2`). */
  adminPath?: string
  /** Path segment when nested under its parent (`/consumers/{c}/jwt`). */
  nestedPath?: string
  endpointKey?: string
  /**
   * Within its parent, a child may also be named by this non-unique field (Kong's acl api.lua:
   * `/consumers/{c}/acls/{group}`); a PUT to an unknown name creates the child with that value.
   */
  nestedKey?: string
  fields: F
  /** Input-only fields that expand into real ones (services' `url`). */
  shorthands?: Record<string, (value: unknown) => { set?: Record<string, unknown>; error?: string }>
  /** Subschema defaults applied to the raw input before field defaults (grpc routes: `strip_path` false). */
  prepare?: (src: Record<string, unknown>) => void
  /** Entity-level checks: a string goes to `@entity`, an object merges into `fields`. */
  checks?: Array<(e: Record<string, any>) => string | FieldErrors | null>
  /** Dynamic validation that may rewrite the entity (plugin `config` against the plugin's schema). */
  refine?: (e: Record<string, any>, ctx: ValidationContext) => MaybePromise<FieldErrors | null>
  /** Composite uniqueness enforced by the store (plugins: name+route+service+consumer). */
  uniqueTogether?: string[]
  /** Kong's composite `primary_key` (ratelimiting_metrics), for entities without an `id`: a real key the store upserts on. */
  primaryKey?: string[]
  /** Fields never returned by the admin API (none in Kong's core). */
  /** Included in snapshots for the proxy and in `kong.yml` exports. */
  exportable?: boolean
  /** `false`: no admin endpoints at all (Kong's oauth2_authorization_codes). */
  adminApi?: boolean
  /** Parent entity used for nested endpoints (`consumers` for credentials). */
  parent?: string
  /** `{id or key}` in a URL names a child whose endpoint key is given, meaning its parent (certificates by SNI). */
  keyVia?: { entity: string; field: string }
}

export interface EntityDef<F extends Record<string, Field> = Record<string, Field>> extends Required<Pick<EntitySpec<F>, 'name' | 'fields'>> {
  adminPath: string
  nestedPath?: string
  endpointKey?: string
  nestedKey?: string
  shorthands: NonNullable<EntitySpec<F>['shorthands']>
  checks: NonNullable<EntitySpec<F>['checks']>
  refine?: EntitySpec<F>['refine']
  prepare?: EntitySpec<F>['prepare']
  uniqueTogether?: string[]
  primaryKey?: string[]
  exportable: boolean
  adminApi: boolean
  parent?: string
  keyVia?: EntitySpec<F>['keyVia']
  table: SQLiteTableWithColumns<any>
  /** The same table for Postgres, emitted from the same typedefs. */
  pgTable: PgTableWithColumns<any>
  foreignKeys: { field: string; entity: string; onDelete: 'cascade' | 'restrict'; column: string }[]
  uniqueFields: string[]
  columnOf(field: string): string
  /** Fill defaults/auto values and validate a full entity; throws a schema violation. `ctx` must answer synchronously. */
  validate(input: Record<string, unknown>, ctx: ValidationContext): Entity
  /** As `validate`, with a context that may answer asynchronously (the store's database lookups). */
  validateAsync(input: Record<string, unknown>, ctx: ValidationContext): Promise<Entity>
  toRow(e: Entity): Record<string, unknown>
  fromRow(row: Record<string, unknown>): Entity
}

const AT_LEAST_ONE = 'at least one of these fields must be non-empty'

const tables = new Map<string, SQLiteTableWithColumns<any>>()
const pgTables = new Map<string, PgTableWithColumns<any>>()

export function defineEntity<F extends Record<string, Field>>(spec: EntitySpec<F>): EntityDef<F> {
  const foreignKeys: EntityDef['foreignKeys'] = []
  const columns: Record<string, any> = {}
  const pgColumns: Record<string, any> = {}
  const colName: Record<string, string> = {}
  for (const [name, f] of Object.entries(spec.fields)) {
    if (f.kind === 'foreign') {
      const column = `${name}_id`
      colName[name] = column
      foreignKeys.push({ field: name, entity: f.foreign!.entity, onDelete: f.foreign!.onDelete, column })
      let c: any = f.column(column)
      const pg = pgColumnFor(c, column).references(() => pgTables.get(f.foreign!.entity)!.id, { onDelete: f.foreign!.onDelete })
      c = c.references(() => tables.get(f.foreign!.entity)!.id, { onDelete: f.foreign!.onDelete })
      columns[column] = c
      pgColumns[column] = pg
    } else {
      colName[name] = name
      let c: any = f.column(name)
      let pg = pgColumnFor(c, name)
      if (f.unique) {
        c = c.unique()
        pg = pg.unique()
      }
      columns[name] = c
      pgColumns[name] = pg
    }
  }
  const pk = spec.primaryKey
  const table = pk ? sqliteTable(spec.name, columns, (c) => [compositeKey({ columns: pk.map((f) => c[colName[f]]) as any })]) : sqliteTable(spec.name, columns)
  tables.set(spec.name, table)
  const pgTable_ = pk ? pgTable(spec.name, pgColumns, (c) => [pgCompositeKey({ columns: pk.map((f) => c[colName[f]]) as any })]) : pgTable(spec.name, pgColumns)
  pgTables.set(spec.name, pgTable_)

  const def: EntityDef<F> = {
    name: spec.name,
    adminPath: spec.adminPath ?? spec.name,
    nestedPath: spec.nestedPath,
    endpointKey: spec.endpointKey,
    nestedKey: spec.nestedKey,
    fields: spec.fields,
    shorthands: spec.shorthands ?? {},
    checks: spec.checks ?? [],
    refine: spec.refine,
    prepare: spec.prepare,
    uniqueTogether: spec.uniqueTogether,
    primaryKey: spec.primaryKey,
    exportable: spec.exportable ?? true,
    adminApi: spec.adminApi ?? true,
    parent: spec.parent,
    keyVia: spec.keyVia,
    table,
    pgTable: pgTable_,
    foreignKeys,
    uniqueFields: Object.entries(spec.fields).filter(([, f]) => f.unique).map(([n]) => n),
    columnOf: (f) => colName[f] ?? f,
    validate(input, ctx) {
      const r = validateEntity(def, input, ctx)
      if (r instanceof Promise) throw new Error(`${def.name}: validation needs an asynchronous lookup; use validateAsync`)
      return r
    },
    validateAsync: async (input, ctx) => validateEntity(def, input, ctx),
    toRow(e) {
      const row: Record<string, unknown> = {}
      for (const name of Object.keys(spec.fields)) {
        const v = e[name]
        row[colName[name]] = spec.fields[name].kind === 'foreign' ? (v ? v.id : null) : (v ?? null)
      }
      return row
    },
    fromRow(row) {
      const e: Record<string, unknown> = {}
      for (const [name, f] of Object.entries(spec.fields)) {
        const v = row[colName[name]]
        e[name] = f.kind === 'foreign' ? (v ? { id: v } : null) : (v ?? null)
      }
      return e as Entity
    },
  }
  return def
}

function validateEntity(def: EntityDef, input: Record<string, unknown>, ctx: ValidationContext): MaybePromise<Entity> {
  const errors: FieldErrors = {}
  const src: Record<string, unknown> = { ...input }
  // shorthands first: they overwrite the fields they expand into
  for (const [name, expand] of Object.entries(def.shorthands)) {
    if (src[name] === undefined) continue
    const { set, error } = expand(src[name])
    delete src[name]
    if (error) errors[name] = error
    else Object.assign(src, set)
  }
  def.prepare?.(src)
  const out: Record<string, unknown> = {}
  // own keys only: `constructor` or `__proto__` in a body are unknown fields, not inherited members
  for (const key of Object.keys(src)) if (!Object.hasOwn(def.fields, key)) setOwn(errors, key, 'unknown field')
  for (const [name, f] of Object.entries(def.fields)) {
    let v = src[name]
    if (v === undefined) {
      if (f.auto === 'uuid') v = newId()
      else if (f.auto === 'now') v = nowSeconds()
      else if (f.auto === 'random') v = randomString()
      else if (f.default !== undefined) v = typeof f.default === 'function' ? (f.default as () => unknown)() : structuredClone(f.default)
      else v = null
    }
    if (v === null) {
      if (f.required) errors[name] = 'required field missing'
      out[name] = null
      continue
    }
    if (f.kind === 'foreign' && typeof v === 'object' && !Array.isArray(v)) {
      // `{ name: "svc" }` references are resolved by the store; keep them as given here
      const ref = v as Record<string, unknown>
      // `{ name: null }` (form `service.name=`) names nothing: Kong reports the missing primary key
      const named = Object.values(ref).some((x) => x !== null && x !== undefined)
      if (ref.id === undefined && named) {
        out[name] = ref
        continue
      }
      if (ref.id === null || (ref.id === undefined && !named)) {
        errors[name] = { id: 'missing primary key' }
        continue
      }
    }
    const r = f.zod.safeParse(v)
    if (r.success) out[name] = r.data
    else Object.assign(errors, mergeFields(errors, issuesToFields(r.error.issues, [name])))
  }
  if (Object.keys(errors).length === 0) {
    for (const check of def.checks) {
      const res = check(out)
      if (!res) continue
      // Kong's validate_update rewords at-least-one-of so the client sees the merged entity failed
      const msg = typeof res === 'string' && ctx.op === 'update' && res.startsWith(AT_LEAST_ONE) ? `when updating, ${res}` : res
      if (typeof msg === 'string') ((errors['@entity'] ??= []) as string[]).push(msg)
      else Object.assign(errors, mergeFields(errors, res as FieldErrors))
    }
  }
  if (Object.keys(errors).length || !def.refine) return finish(errors, out)
  return andThen(def.refine(out, ctx), (res) => finish(res ? mergeFields(errors, res) : errors, out))
}

function finish(errors: FieldErrors, out: Record<string, unknown>): Entity {
  if (Object.keys(errors).length) throw schemaViolation(errors)
  return out as Entity
}

function mergeFields(a: FieldErrors, b: FieldErrors): FieldErrors {
  const res: FieldErrors = { ...a }
  for (const [k, v] of Object.entries(b)) {
    if (k === '@entity' && Array.isArray(res[k])) res[k] = [...(res[k] as string[]), ...(v as string[])]
    else if (res[k] === undefined) res[k] = v
  }
  return res
}

export { isUuid }
