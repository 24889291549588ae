// request-size-limiting schema (defaults, messages) and handler (Content-Length, 417 with Expect, 411,
// and the body watcher that counts a chunked body).
import { describe, expect, it } from 'vitest'
import '../../zod-kong.ts'
import { issuesToFields } from '../../zod-kong.ts'
import { createTestContext, createWorld } from '../_introspection/test-context.ts'
import { schema } from './schema.ts'
import { compile, handler } from './handler.ts'

function run(config: Record<string, unknown>, headers: Record<string, string>) {
  const world = createWorld()
  const exit = handler.access!(createTestContext(world, compile(schema.parse(config)), { method: 'POST', headers }))
  return { exit: exit as any, watchers: world.bodyWatchers ?? [] }
}

describe('request-size-limiting schema', () => {
  it('fills in Kong defaults', () => {
    expect(schema.parse({})).toEqual({ allowed_payload_size: 128, size_unit: 'megabytes', require_content_length: false })
  })
  it('rejects bad values with Kong messages', () => {
    const r = schema.safeParse({ allowed_payload_size: 1.5, size_unit: 'gigabytes', require_content_length: 'x' })
    expect(issuesToFields(r.error!.issues, ['config'])).toEqual({
      config: { allowed_payload_size: 'expected an integer', size_unit: 'expected one of: megabytes, kilobytes, bytes', require_content_length: 'expected a boolean' },
    })
    const n = schema.safeParse({ allowed_payload_size: 'a', size_unit: null })
    expect(issuesToFields(n.error!.issues, ['config'])).toEqual({ config: { allowed_payload_size: 'expected an integer', size_unit: 'required field missing' } })
  })
})

describe('request-size-limiting handler', () => {
  it('checks Content-Length against the limit in each unit', () => {
    expect(run({ allowed_payload_size: 10, size_unit: 'bytes' }, { 'content-length': '10' }).exit).toBeUndefined()
    expect(run({ allowed_payload_size: 10, size_unit: 'bytes' }, { 'content-length': '11' }).exit).toMatchObject({ status: 413, body: { message: 'Request size limit exceeded' }, template: true })
    expect(run({ allowed_payload_size: 1, size_unit: 'kilobytes' }, { 'content-length': '1025' }).exit).toMatchObject({ status: 413 })
    expect(run({ allowed_payload_size: 1, size_unit: 'kilobytes' }, { 'content-length': '1024' }).exit).toBeUndefined()
    expect(run({ allowed_payload_size: 1 }, { 'content-length': String(1048577) }).exit).toMatchObject({ status: 413 })
  })
  it('answers 417 when the client expects 100-continue', () => {
    expect(run({ allowed_payload_size: 1, size_unit: 'bytes' }, { 'content-length': '2', expect: ' 100-Continue ' }).exit).toMatchObject({ status: 417, body: { message: 'Request size limit exceeded' } })
  })
  it('requires Content-Length unless the body is chunked, when asked', () => {
    expect(run({ require_content_length: true }, {}).exit).toMatchObject({ status: 411, body: { message: 'A valid Content-Length header is required' } })
    expect(run({ require_content_length: true }, { 'transfer-encoding': 'chunked' }).exit).toBeUndefined()
  })
  it('counts a body without Content-Length chunk by chunk', () => {
    const { exit, watchers } = run({ allowed_payload_size: 10, size_unit: 'bytes' }, { 'transfer-encoding': 'chunked' })
    expect(exit).toBeUndefined()
    expect(watchers).toHaveLength(1)
    expect(watchers[0](Buffer.alloc(6), 6)).toBeUndefined()
    expect(watchers[0](Buffer.alloc(4), 10)).toBeUndefined()
    expect(watchers[0](Buffer.alloc(1), 11)).toMatchObject({ status: 413 })
    const withExpect = run({ allowed_payload_size: 1, size_unit: 'bytes' }, { 'transfer-encoding': 'chunked', expect: '100-continue' })
    expect(withExpect.watchers[0](Buffer.alloc(2), 2)).toMatchObject({ status: 417 })
  })
})
