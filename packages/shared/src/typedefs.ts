// Field vocabulary (Kong's typedefs.lua): each typedef pairs a zod validator with a SQLite column and
// says how form values coerce into it. Entities are built only from these.
import { z } from 'zod'
import { integer, real, text, type SQLiteColumnBuilderBase } from 'drizzle-orm/sqlite-core'
import { randomBytes, randomUUID } from 'node:crypto'
import './zod-kong.ts'

export type FieldKind =
  | 'uuid' | 'string' | 'integer' | 'number' | 'boolean' | 'timestamp'
  | 'array' | 'set' | 'map' | 'record' | 'foreign' | 'json'

export interface Field {
  kind: FieldKind
  /** Validates a present, non-null value; its output is what is stored. */
  zod: z.ZodType
  required: boolean
  default?: unknown
  auto?: 'uuid' | 'now' | 'random'
  unique?: boolean
  immutable?: boolean
  foreign?: { entity: string; onDelete: 'cascade' | 'restrict'; column: string }
  elem?: Field
  /** Sub-fields for records (used by form coercion and /schemas). */
  fields?: Record<string, Field>
  /** The column for this field; foreign keys are stored as `<name>_id`. */
  column(name: string): SQLiteColumnBuilderBase
}

type Opts = { required?: boolean; default?: unknown; unique?: boolean; immutable?: boolean }

function field(kind: FieldKind, zod: z.ZodType, col: (n: string) => SQLiteColumnBuilderBase, o: Opts = {}, extra: Partial<Field> = {}): Field {
  return { kind, zod, required: o.required ?? false, default: o.default, unique: o.unique, immutable: o.immutable, column: col, ...extra }
}

const jsonCol = (n: string) => text(n, { mode: 'json' })

/** Random 32-character `[A-Za-z0-9]` string, as Kong's `auto` strings. */
export function randomString(len = 32): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
  const bytes = randomBytes(len * 2)
  let out = ''
  for (let i = 0; i < bytes.length && out.length < len; i++) if (bytes[i] < 248) out += alphabet[bytes[i] % 62]
  return out.length === len ? out : randomString(len)
}

export const nowSeconds = () => Math.floor(Date.now() / 1000)

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
export const isUuid = (s: unknown): s is string => typeof s === 'string' && UUID_RE.test(s)

/** Kong says "expected an integer" for any non-integer input, text included. */
const intZod = () => z.number({ error: 'expected an integer' }).int({ error: 'expected an integer' })

const uuidZod = z.string().regex(UUID_RE, { error: 'expected a valid UUID' }).transform((s) => s.toLowerCase())

const NAME_RE = /^[A-Za-z0-9.\-_~\u0080-\u{10FFFF}]+$/u
const TAG_RE = /^[\x21-\x2b\x2d\x2e\x30-\x7e\u0080-\u{10FFFF}]+$/u

function between(min: number, max: number, int: boolean) {
  const msg = `value should be between ${min} and ${max}`
  const base = int ? intZod() : z.number()
  return base.min(min, { error: msg }).max(max, { error: msg })
}

/** Deduplicated array keeping first occurrences (Kong `set`). */
function setOf(elem: z.ZodType) {
  return z
    .array(elem, { error: (i) => (i.input == null ? 'required field missing' : 'expected a set') })
    .transform((a) => [...new Set(a)])
}

export const t = {
  uuid: (o: Opts = {}) => field('uuid', uuidZod, (n) => text(n).primaryKey(), { required: true, ...o }, { auto: 'uuid' }),
  autoTimestamp: () => field('timestamp', z.number().int(), (n) => integer(n), { required: true }, { auto: 'now' }),
  string: (o: Opts & { min?: number; max?: number; oneOf?: readonly string[]; check?: (s: string) => string | null } = {}) => {
    let zod: z.ZodType = o.oneOf ? z.enum(o.oneOf as [string, ...string[]]) : z.string().min(o.min ?? 1, { error: `length must be at least ${o.min ?? 1}` })
    if (o.max) zod = (zod as z.ZodString).max(o.max, { error: `length must be at most ${o.max}` })
    if (o.check) zod = withCheck(zod, o.check)
    return field('string', zod, (n) => text(n), o)
  },
  /** Kong's `name` typedef: letters, digits and `.-_~`, or any non-ASCII. */
  name: (o: Opts = {}) =>
    field('string', withCheck(z.string().min(1), (s) => (NAME_RE.test(s) ? null : `invalid value '${s}': the only accepted ascii characters are alphanumerics or ., -, _, and ~`)), (n) => text(n), { unique: true, ...o }),
  /** Random 32-char string filled in when missing (key, secret, client_id, ...). */
  autoString: (o: Opts & { check?: (s: string) => string | null } = {}) =>
    field('string', o.check ? withCheck(z.string().min(1), o.check) : z.string().min(1), (n) => text(n), { required: true, ...o }, { auto: 'random' }),
  integer: (o: Opts & { between?: [number, number]; oneOf?: number[] } = {}) => {
    let zod: z.ZodType = o.between ? between(o.between[0], o.between[1], true) : intZod()
    if (o.oneOf) zod = intZod().refine((v) => o.oneOf!.includes(v), { error: `expected one of: ${o.oneOf.join(', ')}` })
    return field('integer', zod, (n) => integer(n), o)
  },
  number: (o: Opts & { between?: [number, number]; gt?: number } = {}) => {
    let zod: z.ZodType = o.between ? between(o.between[0], o.between[1], false) : z.number()
    if (o.gt !== undefined) zod = z.number().gt(o.gt, { error: `value must be greater than ${o.gt}` })
    return field('number', zod, (n) => real(n), o)
  },
  boolean: (o: Opts = {}) => field('boolean', z.boolean(), (n) => integer(n, { mode: 'boolean' }), o),
  /** Kong `set`: deduplicated, order of first occurrence kept. */
  set: (elem: Field, o: Opts & { min?: number } = {}) => {
    let zod: z.ZodType = setOf(elem.zod)
    if (o.min) zod = setOf(elem.zod).refine((a) => a.length >= o.min!, { error: `length must be at least ${o.min}` })
    return field('set', zod, jsonCol, o, { elem })
  },
  array: (elem: Field, o: Opts = {}) =>
    field('array', z.array(elem.zod, { error: (i) => (i.input == null ? 'required field missing' : 'expected an array') }), jsonCol, o, { elem }),
  map: (key: z.ZodType<string>, value: Field, o: Opts = {}) =>
    field('map', z.record(key, value.zod, { error: 'expected a map' }), jsonCol, o, { elem: value }),
  /** Free-form JSON record (plugin `config`: validated by the plugin's own schema). */
  record: (o: Opts = {}) => field('record', z.record(z.string(), z.unknown(), { error: 'expected a record' }), jsonCol, o),
  /** Kong `tags`: a set of printable strings without `,` or `/`. */
  tags: () =>
    t.set(
      field('string', withCheck(z.string(), (s) => (TAG_RE.test(s) ? null : `invalid tag '${s}': expected printable ascii (except \`,\` and \`/\`) or valid utf-8 sequences`)), (n) => text(n)),
    ),
  /** The fields every consumer credential starts with: id, created_at and its consumer (cascading). */
  credential: () => ({
    id: t.uuid(),
    created_at: t.autoTimestamp(),
    consumer: t.foreign('consumers', { required: true, onDelete: 'cascade' }),
  }),
  /** A reference to another entity: `{ id }` on the wire, `<name>_id` in SQL. */
  foreign: (entity: string, o: Opts & { onDelete?: 'cascade' | 'restrict' } = {}) => {
    const zod = z.object({ id: uuidZod }, { error: 'expected a record' })
    return field('foreign', zod, (n) => text(n), o, { foreign: { entity, onDelete: o.onDelete ?? 'cascade', column: '' } })
  },
}

/** Adds a Kong-style check (returns a message or null) to a zod type. */
export function withCheck<T extends z.ZodType>(zod: T, check: (v: any) => string | null): z.ZodType {
  return zod.superRefine((v, ctx) => {
    const msg = check(v)
    if (msg) ctx.addIssue({ code: 'custom', message: msg })
  })
}

export const newId = () => randomUUID()
