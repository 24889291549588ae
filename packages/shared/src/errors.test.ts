// Unit tests for Kong's error model: the schema-violation message builder, the Lua renderings it relies
// on, and the code → status table.
import { describe, expect, it } from 'vitest'
import { PosternError, luaPretty, luaTable, schemaViolation, schemaViolationMessage } from './errors.ts'

describe('schemaViolationMessage', () => {
  it('renders the examples asserted by Kong\'s own specs', () => {
    expect(schemaViolationMessage({ name: 'required field missing' })).toBe('schema violation (name: required field missing)')
    expect(schemaViolationMessage({ host: 'required field missing', connect_timeout: 'expected an integer' })).toBe(
      '2 schema violations (connect_timeout: expected an integer; host: required field missing)',
    )
    expect(schemaViolationMessage({ protocols: ['expected one of: grpc, grpcs, http, https, tcp, tls, tls_passthrough, udp'] })).toBe(
      'schema violation (protocols.1: expected one of: grpc, grpcs, http, https, tcp, tls, tls_passthrough, udp)',
    )
    expect(schemaViolationMessage({ foo: 'unknown field' })).toBe('schema violation (foo: unknown field)')
    expect(schemaViolationMessage({ '@entity': ["at least one of these fields must be non-empty: 'custom_id', 'username'"] })).toBe(
      "schema violation (at least one of these fields must be non-empty: 'custom_id', 'username')",
    )
    expect(schemaViolationMessage({ config: { foo: 'unknown field' } })).toBe('schema violation (config.foo: unknown field)')
  })

  it('puts entity messages first, then fields in sorted order', () => {
    expect(schemaViolationMessage({ tls_verify: 'value must be null', '@entity': ["failed conditional validation given value of field 'protocol'"] })).toBe(
      "2 schema violations (failed conditional validation given value of field 'protocol'; tls_verify: value must be null)",
    )
    expect(schemaViolationMessage({ b: 'x', a: { d: 'y', c: 'z' } })).toBe('3 schema violations (a.c: z; a.d: y; b: x)')
  })

  it('numbers array positions from 1 and skips the positions that were fine', () => {
    expect(schemaViolationMessage({ paths: [null, 'bad', null, 'worse'] })).toBe('2 schema violations (paths.2: bad; paths.4: worse)')
  })

  it('renders anything deeper than field.sub with penlight\'s pretty printer', () => {
    expect(schemaViolationMessage({ config: { limits: { burst: 'expected an integer' } } })).toBe(
      'schema violation (config.limits: {\n  burst = "expected an integer"\n})',
    )
    expect(schemaViolationMessage({ config: { key_names: ['bad header name'] } })).toBe('schema violation (config.key_names: {\n  "bad header name"\n})')
    expect(schemaViolationMessage({ sources: [{ '@entity': ["at least one of these fields must be non-empty: 'ip', 'port'"] }] })).toBe(
      'schema violation (sources.1: {\n  ["@entity"] = {\n    "at least one of these fields must be non-empty: \'ip\', \'port\'"\n  }\n})',
    )
  })

  it('builds the full code 2 error with fields', () => {
    const e = schemaViolation({ port: 'expected an integer' })
    expect(e.status).toBe(400)
    expect(e.toJSON()).toEqual({ code: 2, name: 'schema violation', message: 'schema violation (port: expected an integer)', fields: { port: 'expected an integer' } })
  })
})

describe('luaPretty', () => {
  it('writes records with identifier keys and bracketed other keys', () => {
    expect(luaPretty({ ip: 'x', 'x-y': 'z' })).toBe('{\n  ip = "x",\n  ["x-y"] = "z"\n}')
  })

  it('writes list holes as explicit positions after the dense part', () => {
    expect(luaPretty(['a', null, 'c'])).toBe('{\n  "a",\n  [3] = "c"\n}')
    expect(luaPretty([null, 'b'])).toBe('{\n  [2] = "b"\n}')
  })

  it('quotes strings as Lua does', () => {
    expect(luaPretty('say "hi" \\ there')).toBe('"say \\"hi\\" \\\\ there"')
  })
})

describe('luaTable', () => {
  it('sorts keys, quotes strings and writes null and nested tables', () => {
    const id = '7a4f4b7a-0000-4000-8000-000000000000'
    expect(luaTable({ service: null, name: 'basic-auth', route: { id }, consumer: null })).toBe(`{consumer=null,name="basic-auth",route={id="${id}"},service=null}`)
    expect(luaTable({ name: 'svc-1' })).toBe('{name="svc-1"}')
  })
})

describe('PosternError', () => {
  it('maps each code to Kong\'s status and carries options instead of fields for invalid options', () => {
    expect(new PosternError('UNIQUE_VIOLATION', 'x').status).toBe(409)
    expect(new PosternError('NOT_FOUND', 'x').status).toBe(404)
    expect(new PosternError('OPERATION_UNSUPPORTED', 'x').status).toBe(405)
    expect(new PosternError('PRIMARY_KEY_VIOLATION', 'x').status).toBe(400)
    const opts = new PosternError('INVALID_OPTIONS', 'invalid option (tags: cannot be null)', { options: { tags: 'cannot be null' } })
    expect(opts.toJSON()).toEqual({ code: 11, name: 'invalid options', message: 'invalid option (tags: cannot be null)', options: { tags: 'cannot be null' } })
    expect(new PosternError('INVALID_SIZE', 'size must be a number').toJSON()).toEqual({ code: 9, name: 'invalid size', message: 'size must be a number' })
  })
})
