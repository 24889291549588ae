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

/** Kong's schema-violation message: `@entity` first, then fields sorted, nested keys dotted, arrays 1-based. */
export function schemaViolationMessage(fields: FieldErrors): string {
  const items: string[] = []
  const entity = fields['@entity']
  if (Array.isArray(entity)) items.push(...(entity as string[]))
  else if (typeof entity === 'string') items.push(entity)
  const walk = (prefix: string, v: unknown) => {
    if (v === null || v === undefined) return
    if (typeof v === 'string') items.push(`${prefix}: ${v}`)
    else if (Array.isArray(v)) v.forEach((x, i) => walk(`${prefix}.${i + 1}`, x))
    else for (const k of Object.keys(v as object).sort()) walk(prefix ? `${prefix}.${k}` : k, (v as any)[k])
  }
  for (const k of Object.keys(fields).sort()) if (k !== '@entity') walk(k, fields[k])
  if (items.length === 1) return `schema violation (${items[0]})`
  return `${items.length} schema violations (${items.join('; ')})`
}

export function schemaViolation(fields: FieldErrors): PosternError {
  return new PosternError('SCHEMA_VIOLATION', schemaViolationMessage(fields), { fields })
}
