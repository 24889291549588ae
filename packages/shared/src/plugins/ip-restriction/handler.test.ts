// ip-restriction handler: deny before allow, Kong's default message with the forwarded address, custom status.
import { describe, expect, it } from 'vitest'
import { createTestContext, createWorld } from '../_introspection/test-context.ts'
import { schema } from './schema.ts'
import { compile, handler } from './handler.ts'

const run = (config: Record<string, unknown>, ip: string) => handler.access!(createTestContext(createWorld(), compile(schema.parse(config)), { ip }))

describe('ip-restriction handler', () => {
  it('lets an allowed address through and refuses others with 403 and the address', () => {
    expect(run({ allow: ['10.0.0.0/8'] }, '10.1.2.3')).toBeUndefined()
    expect(run({ allow: ['10.0.0.0/8'] }, '11.1.2.3')).toMatchObject({ status: 403, body: { message: 'IP address not allowed: 11.1.2.3' }, template: true })
  })
  it('checks the deny list first', () => {
    expect(run({ allow: ['10.0.0.0/8'], deny: ['10.0.0.1'] }, '10.0.0.1')).toMatchObject({ status: 403 })
    expect(run({ deny: ['2001:db8::/32'] }, '2001:db8::5')).toMatchObject({ status: 403 })
    expect(run({ deny: ['2001:db8::/32'] }, '2001:db9::5')).toBeUndefined()
  })
  it('answers with the configured status and message', () => {
    expect(run({ deny: ['1.1.1.1'], status: 401, message: 'go away' }, '1.1.1.1')).toMatchObject({ status: 401, body: { message: 'go away' } })
  })
  it('refuses a request without a usable address', () => {
    expect(run({ deny: ['1.1.1.1'] }, '')).toMatchObject({ status: 403, body: { message: 'Cannot identify the client IP address, unix domain sockets are not supported.' } })
  })
})
