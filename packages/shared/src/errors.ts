// Kong's error model: one code table, one error class, one renderer (kong/db/errors.lua in our words).

export const ERROR_CODES = {
  INVALID_PRIMARY_KEY: { code: 1, name: 'invalid primary key', status: 400 },
  SCHEMA_VIOLATION: { code: 2, name: 'schema violation', status: 400 },
  PRIMARY_KEY_VIOLATION: { code: 3, name: 'primary key violation', status: 400 },
  FOREIGN_KEY_VIOLATION: { code: 4, name: 'foreign key violation', status: 400 },
  UNIQUE_VIOLATION: { code: 5, name: 'unique constraint violation', status: 409 },
  NOT_FOUND: { code: 6, name: 'not found', status: 404 },
  INVALID_OFFSET: { code: 7, name: 'invalid offset', status: 400 },
  DATABASE_ERROR: { code: 8, name: 'database error', status: 500 },
  INVALID_SIZE: { code: 9, name: 'invalid size', status: 400 },
  INVALID_OPTIONS: { code: 11, name: 'invalid options', status: 400 },
  OPERATION_UNSUPPORTED: { code: 12, name: 'operation unsupported', status: 405 },
  FOREIGN_KEYS_UNRESOLVED: { code: 13, name: 'foreign keys unresolved', status: 400 },
  DECLARATIVE_CONFIG: { code: 14, name: 'invalid declarative configuration', status: 400 },
  REFERENCED_BY_OTHERS: { code: 19, name: 'referenced by others', status: 400 },
} as const

export type ErrorCode = keyof typeof ERROR_CODES

const BRAND = Symbol.for('postern.error')

/** A Kong-shaped DAO error: `{ code, name, message, fields }`. Thrown by stores, rendered by the admin. */
export class PosternError extends Error {
  readonly [BRAND] = true
  readonly code: ErrorCode
  readonly fields?: unknown
  readonly options?: unknown
  constructor(code: ErrorCode, message: string, extra: { fields?: unknown; options?: unknown } = {}) {
    super(message)
    this.code = code
    this.fields = extra.fields
    this.options = extra.options
  }
  get status(): number {
    return ERROR_CODES[this.code].status
  }
  toJSON(): Record<string, unknown> {
    const def = ERROR_CODES[this.code]
    const body: Record<string, unknown> = { code: def.code, name: def.name, message: this.message }
    if (this.fields !== undefined) body.fields = this.fields
    if (this.options !== undefined) body.options = this.options
    return body
  }
}

/** A plain `{ message }` answer (404 Not found, 405, 415, Cannot parse JSON body, ...). */
export class HttpError extends Error {
  readonly [BRAND] = true
  constructor(readonly status: number, message: string, readonly headers: Record<string, string> = {}) {
    super(message)
  }
  toJSON(): Record<string, unknown> {
    return { message: this.message }
  }
}

export function isPosternError(e: unknown): e is PosternError {
  return e instanceof PosternError
}

/** Kong renders keys and values in messages as a Lua table: `{name="svc-1"}`, keys sorted. */
export function luaTable(obj: Record<string, unknown>): string {
  const parts = Object.keys(obj)
    .sort()
    .map((k) => `${k}=${luaValue(obj[k])}`)
  return `{${parts.join(',')}}`
}

function luaValue(v: unknown): string {
  if (v === null || v === undefined) return 'null'
  if (typeof v === 'string') return JSON.stringify(v)
  if (typeof v === 'object') return luaTable(v as Record<string, unknown>)
  return String(v)
}

export type FieldErrors = { [k: string]: FieldErrorValue }
export type FieldErrorValue = string | string[] | FieldErrors | (FieldErrorValue | null)[]

/** Lua's `%q`-style quoting, as penlight uses for strings. */
const luaQuote = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\\n')}"`

/**
 * penlight's `pretty.write` (two-space indent), which Kong uses for anything nested deeper than
 * `field.sub` in a message. JSON `null` array slots are Lua holes: the array part stops there and later
 * positions print as `[n] = ...`. Keys are sorted (penlight's own order is the hash order).
 */
export function luaPretty(v: unknown): string {
  const lines: string[] = []
  let line = ''
  const put = (s: string) => (line += s)
  const putln = (s: string) => {
    lines.push(line + s)
    line = ''
  }
  const eatComma = () => {
    const n = lines.length - 1
    if (lines[n].endsWith(',')) lines[n] = lines[n].slice(0, -1)
  }
  const write = (x: unknown, oldIndent: string, indent: string) => {
    if (typeof x === 'string') return putln(luaQuote(x) + ',')
    if (x === null || typeof x !== 'object') return putln(String(x) + ',')
    putln('{')
    const next = indent + '  '
    if (Array.isArray(x)) {
      let i = 0
      for (; i < x.length && x[i] !== null && x[i] !== undefined; i++) {
        put(indent)
        write(x[i], indent, next)
      }
      for (; i < x.length; i++) {
        if (x[i] === null || x[i] === undefined) continue
        put(`${indent}[${i + 1}] = `)
        write(x[i], indent, next)
      }
    } else {
      for (const k of Object.keys(x).sort()) {
        const val = (x as Record<string, unknown>)[k]
        if (val === null || val === undefined) continue
        put(indent + (/^[A-Za-z_][A-Za-z0-9_]*$/.test(k) ? k : `[${luaQuote(k)}]`) + ' = ')
        write(val, indent, next)
      }
    }
    eatComma()
    putln(oldIndent + '},')
  }
  write(v, '', '  ')
  eatComma()
  return lines.join('\n')
}

/** Keys of a Lua table in sorted order; a JSON array's `null` slots are holes, not keys. */
function luaKeys(v: object): (string | number)[] {
  if (Array.isArray(v)) return v.flatMap((x, i) => (x === null || x === undefined ? [] : [i + 1]))
  return Object.keys(v).sort()
}

/**
 * Kong's schema-violation message (errors.lua): `@entity` messages first, then each field in sorted
 * order as `field: msg`, or one level down as `field.sub: msg` (arrays 1-based); anything deeper is
 * rendered with penlight's pretty printer.
 */
export function schemaViolationMessage(fields: FieldErrors): string {
  const items: string[] = []
  const entity = fields['@entity']
  if (Array.isArray(entity)) items.push(...(entity as string[]))
  else if (typeof entity === 'string') items.push(entity)
  for (const k of Object.keys(fields).sort()) {
    const v = fields[k]
    if (k === '@entity' || v === null || v === undefined) continue
    if (typeof v !== 'object') {
      items.push(`${k}: ${v}`)
      continue
    }
    for (const sub of luaKeys(v)) {
      const x = (v as any)[Array.isArray(v) ? (sub as number) - 1 : sub]
      items.push(`${k}.${sub}: ${typeof x === 'object' && x !== null ? luaPretty(x) : x}`)
    }
  }
  if (items.length === 1) return `schema violation (${items[0]})`
  return `${items.length} schema violations (${items.join('; ')})`
}

export function schemaViolation(fields: FieldErrors): PosternError {
  return new PosternError('SCHEMA_VIOLATION', schemaViolationMessage(fields), { fields })
}
