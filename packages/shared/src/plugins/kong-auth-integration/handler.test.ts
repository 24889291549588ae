// kong-auth-integration's access phase against scripted auth-service answers.
import { describe, expect, it } from 'vitest'
import { createTestContext, createWorld, type TestWorld } from '../_introspection/test-context.ts'
import { schema } from './schema.ts'
import { compile } from './compile.ts'
import { handler, UNAUTHORIZED } from './handler.ts'

const config = (extra: Record<string, unknown> = {}) => compile(schema.parse({ authentication_endpoint: 'http://auth/api/v1/session/me', ...extra }))

async function run(world: TestWorld, headers: Record<string, string> = { authorization: 'Bearer tok' }, conf = config(), method = 'GET') {
  const ctx = createTestContext(world, conf, { headers, method })
  const exit = await handler.access!(ctx)
  return { ctx, exit: exit || undefined }
}

describe('kong-auth-integration access', () => {
  it('forwards the auth service body as X-User-Payload', async () => {
    const world = createWorld([{ status: 200, body: '{"id":1,"email":"john@example.com"}' }])
    const { ctx, exit } = await run(world)
    expect(exit).toBeUndefined()
    expect(ctx.upstreamHeaders['x-user-payload']).toBe('{"id":1,"email":"john@example.com"}')
    expect(world.calls[0]).toMatchObject({ url: 'http://auth/api/v1/session/me', method: 'GET', timeoutMs: 5000 })
    expect(world.calls[0].headers).toMatchObject({ authorization: 'Bearer tok', 'content-type': 'application/json' })
  })

  it('strips a client-sent X-User-Payload even when authentication fails', async () => {
    const { ctx, exit } = await run(createWorld([{ status: 401 }]), { authorization: 'Bearer tok', 'x-user-payload': '{"admin":true}', 'x-user-payload-encoding': 'none' })
    expect(exit).toMatchObject({ status: 401 })
    expect(ctx.upstreamHeaders['x-user-payload']).toBeUndefined()
    expect(ctx.upstreamHeaders['x-user-payload-encoding']).toBeUndefined()
  })

  it('answers 401 with the plain message when the auth service says 401 or no token is sent', async () => {
    expect((await run(createWorld([{ status: 401 }]))).exit).toMatchObject({ status: 401, body: UNAUTHORIZED })
    const world = createWorld([{ status: 200, body: '{}' }])
    expect((await run(world, {})).exit).toMatchObject({ status: 401, body: UNAUTHORIZED, reason: 'kong-auth-integration.missing' })
    expect((await run(world, { authorization: 'Bearer' })).exit).toMatchObject({ status: 401 })
    expect(world.calls).toHaveLength(0)
  })

  it.each([403, 404, 500, 503, 204])('passes the auth service status %i on with an empty body', async (status) => {
    const { exit } = await run(createWorld([{ status, body: 'secret detail' }]))
    expect(exit).toMatchObject({ status, body: undefined })
  })

  it('answers 500 Internal Server Error when the auth service is unreachable or times out', async () => {
    const { exit } = await run(createWorld([Object.assign(new Error('timeout'), { name: 'TimeoutError' })]))
    expect(exit).toMatchObject({ status: 500, body: 'Internal Server Error', reason: 'kong-auth-integration.unreachable' })
  })

  it('refuses a payload larger than max_payload_size instead of truncating it', async () => {
    const body = JSON.stringify({ blob: 'x'.repeat(200) })
    const { exit, ctx } = await run(createWorld([{ status: 200, body }]), undefined, config({ max_payload_size: 100 }))
    expect(exit).toMatchObject({ status: 500, reason: 'kong-auth-integration.payload_too_large' })
    expect(ctx.upstreamHeaders['x-user-payload']).toBeUndefined()
  })

  it('base64-encodes a payload that cannot be a header and says so', async () => {
    const { ctx } = await run(createWorld([{ status: 200, body: 'user=john\r\nrole=admin' }]))
    expect(ctx.upstreamHeaders['x-user-payload-encoding']).toBe('base64')
    expect(Buffer.from(ctx.upstreamHeaders['x-user-payload'], 'base64').toString()).toBe('user=john\r\nrole=admin')
  })

  it('asks the auth service on every request unless cache_ttl is set', async () => {
    const world = createWorld([{ status: 200, body: '{"id":1}' }])
    await run(world)
    await run(world)
    expect(world.calls).toHaveLength(2)
    const conf = config({ cache_ttl: 60 })
    await run(world, undefined, conf)
    await run(world, undefined, conf)
    expect(world.calls).toHaveLength(3)
    expect([...world.cache.keys()].some((k) => k.includes('tok'))).toBe(false)
  })

  it('skips preflights only when run_on_preflight is false', async () => {
    const world = createWorld([{ status: 401 }])
    expect((await run(world, {}, config(), 'OPTIONS')).exit).toMatchObject({ status: 401 })
    expect((await run(world, {}, config({ run_on_preflight: false }), 'OPTIONS')).exit).toBeUndefined()
  })

  it('uses a custom token header', async () => {
    const world = createWorld([{ status: 200, body: '{}' }])
    await run(world, { 'x-access-token': 'Bearer custom' }, config({ token_header: 'X-Access-Token' }))
    expect(world.calls[0].headers!.authorization).toBe('Bearer custom')
  })
})

describe('kong-auth-integration schema', () => {
  it("accepts seed 003's config and fills in the defaults", () => {
    expect(schema.parse({ token_header: 'Authorization', cookie_name: 'access-token', authentication_endpoint: 'http://host.docker.internal:4500/api/v1/session/me' })).toEqual({
      token_header: 'Authorization', cookie_name: 'access-token', authentication_endpoint: 'http://host.docker.internal:4500/api/v1/session/me',
      timeout: 5000, max_payload_size: 8192, cache_ttl: 0, run_on_preflight: true, ssl_verify: true, ssl_ca_certificates: null,
    })
  })
  it('requires authentication_endpoint and rejects unknown keys', () => {
    expect(schema.safeParse({}).success).toBe(false)
    expect(schema.safeParse({ authentication_endpoint: 'http://a/b', bogus: 1 }).success).toBe(false)
  })
})
