// The basic-auth handler alone: a verified pair is answered synchronously from the cache (scrypt ran once),
// a wrong password is remembered too, and the identity is Kong's (credential identified by username).
import { describe, expect, it } from 'vitest'
import { createTestContext, createWorld } from '../_introspection/test-context.ts'
import { compile, handler } from './handler.ts'
import { hashPassword } from './password.ts'
import { schema } from './schema.ts'

const world = createWorld()
world.consumers.push({ id: 'c-1', username: 'bob', custom_id: null })
const credential = { id: 'cred-1', consumer: { id: 'c-1' }, username: 'bob', password: hashPassword('kong') }
const conf = compile(schema.parse({}))

function request(authorization: string) {
  const ctx = createTestContext(world, conf, { headers: { authorization } })
  ;(ctx as any).entities = { find: (_e: string, _f: string, v: unknown) => (v === 'bob' ? credential : undefined), all: () => [], filter: () => [] }
  return { ctx, result: handler.access!(ctx) }
}
const basic = (pw: string) => `Basic ${Buffer.from(`bob:${pw}`).toString('base64')}`

describe('basic-auth handler', () => {
  it('verifies a new pair asynchronously, then answers the same pair synchronously', async () => {
    const first = request(basic('kong'))
    expect(first.result).toBeInstanceOf(Promise)
    expect(await first.result).toBeUndefined()
    expect(first.ctx.upstreamHeaders['x-credential-identifier']).toBe('bob')
    const second = request(basic('kong'))
    expect(second.result).toBeUndefined()
    expect(second.ctx.consumer?.id).toBe('c-1')
    expect(conf.verified.size).toBe(1)
  })

  it('remembers a wrong password and answers it synchronously the second time', async () => {
    const first = await request(basic('nope')).result
    expect(first).toMatchObject({ status: 401, body: { message: 'Unauthorized' }, headers: { 'WWW-Authenticate': 'Basic realm="service"' } })
    const second = request(basic('nope')).result
    expect(second).toMatchObject({ status: 401 })
    expect(second).not.toBeInstanceOf(Promise)
  })

  it('answers an unknown user without hashing anything', () => {
    const before = conf.verified.size
    expect(request(`Basic ${Buffer.from('eve:x').toString('base64')}`).result).toMatchObject({ status: 401, reason: 'basic-auth.unknown_user' })
    expect(conf.verified.size).toBe(before)
  })
})
