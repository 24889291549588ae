// phantom-token's access phase against scripted IdP answers (status mapping, cache, scopes, CORS).
import { describe, expect, it } from 'vitest'
import { UnsecuredJWT } from 'jose'
import { createTestContext, createWorld, type TestWorld } from '../_introspection/test-context.ts'
import { schema } from './schema.ts'
import { compile } from './compile.ts'
import { handler } from './handler.ts'

const jwt = (claims: Record<string, unknown> = { scope: 'read write' }) => new UnsecuredJWT(claims).setExpirationTime('5m').encode()
const config = (extra: Record<string, unknown> = {}) =>
  compile(schema.parse({ introspection_endpoint: 'http://idp/introspect', client_id: 'gw', client_secret: 'pw', scope: 'read', trusted_web_origins: ['http://www.example.com'], ...extra }))

async function run(world: TestWorld, headers: Record<string, string> = { authorization: 'Bearer opaque-1' }, conf = config(), method = 'GET') {
  const ctx = createTestContext(world, conf, { headers, method })
  const exit = await handler.access!(ctx)
  return { ctx, exit: exit || undefined }
}

describe('phantom-token access', () => {
  it('replaces Authorization with the JWT from the IdP', async () => {
    const token = jwt()
    const world = createWorld([{ status: 200, body: token }])
    const { ctx, exit } = await run(world)
    expect(exit).toBeUndefined()
    expect(ctx.upstreamHeaders.authorization).toBe(`Bearer ${token}`)
    const call = world.calls[0]
    expect(call).toMatchObject({ url: 'http://idp/introspect', method: 'POST', body: 'token=opaque-1' })
    expect(call.headers).toMatchObject({ accept: 'application/jwt', authorization: 'Basic ' + Buffer.from('gw:pw').toString('base64') })
  })

  it.each([204, 400, 401, 403, 404, 429])('answers 401 when the IdP says %i', async (status) => {
    const { exit } = await run(createWorld([{ status }]))
    expect(exit).toMatchObject({ status: 401, reason: 'phantom-token.invalid' })
    expect(exit!.headers).toMatchObject({ 'www-authenticate': 'Bearer', 'content-type': 'application/json' })
    expect(exit!.body).toBe('{"code":"unauthorized","message":"Missing, invalid or expired access token"}\n')
  })

  it.each([500, 502, 503, 504])('answers 500 server_error when the IdP says %i', async (status) => {
    const { exit } = await run(createWorld([{ status }]))
    expect(exit).toMatchObject({ status: 500, body: '{"code":"server_error","message":"Problem encountered authorizing the HTTP request"}\n' })
    expect(exit!.headers!['www-authenticate']).toBeUndefined()
  })

  it('answers 500 when the IdP cannot be reached or sends an empty 200', async () => {
    expect((await run(createWorld([new Error('ECONNREFUSED')]))).exit).toMatchObject({ status: 500, reason: 'phantom-token.idp_unreachable' })
    expect((await run(createWorld([{ status: 200, body: '' }]))).exit).toMatchObject({ status: 500, reason: 'phantom-token.idp_bad_body' })
  })

  it('answers 401 without calling the IdP when there is no bearer token', async () => {
    const world = createWorld([{ status: 200, body: jwt() }])
    const cases: Record<string, string>[] = [{}, { authorization: 'Basic abc' }, { authorization: 'Bearer ' }]
    for (const headers of cases) {
      expect((await run(world, headers)).exit).toMatchObject({ status: 401, reason: 'phantom-token.missing' })
    }
    expect(world.calls).toHaveLength(0)
  })

  it('answers 403 when a required scope is missing, also for a cached token', async () => {
    const world = createWorld([{ status: 200, body: jwt({ scope: 'read' }) }])
    const conf = config({ scope: 'read write' })
    for (let i = 0; i < 2; i++) {
      const { exit } = await run(world, undefined, conf)
      expect(exit).toMatchObject({ status: 403, body: '{"code":"forbidden","message":"The token does not contain the required scope"}\n' })
    }
    expect(world.calls).toHaveLength(1)
  })

  it('does not look at the JWT when no scope is configured', async () => {
    const { exit } = await run(createWorld([{ status: 200, body: 'opaque-jwt-without-claims' }]), undefined, config({ scope: null }))
    expect(exit).toBeUndefined()
  })

  it('caches a good answer per instance and token, and never a failure', async () => {
    const world = createWorld([{ status: 503 }, { status: 200, body: jwt() }])
    const conf = config()
    expect((await run(world, undefined, conf)).exit).toMatchObject({ status: 500 })
    await run(world, undefined, conf)
    await run(world, undefined, conf)
    expect(world.calls).toHaveLength(2)
    expect([...world.cache.keys()].some((k) => k.includes('opaque-1'))).toBe(false)
    const other = createTestContext(world, conf, { headers: { authorization: 'Bearer opaque-1' } }, 'plugin-2')
    await handler.access!(other)
    expect(world.calls).toHaveLength(3)
  })

  it('does not cache when the IdP says no-store', async () => {
    const world = createWorld([{ status: 200, body: jwt(), headers: { 'cache-control': 'no-store' } }])
    await run(world)
    await run(world)
    expect(world.calls).toHaveLength(2)
  })

  it('lets OPTIONS through untouched without calling the IdP', async () => {
    const world = createWorld([{ status: 500 }])
    const { ctx, exit } = await run(world, { origin: 'http://www.example.com' }, config(), 'OPTIONS')
    expect(exit).toBeUndefined()
    expect(world.calls).toHaveLength(0)
    expect(ctx.upstreamHeaders.authorization).toBeUndefined()
  })

  it('adds CORS headers to errors for a trusted origin only', async () => {
    const trusted = (await run(createWorld([{ status: 204 }]), { authorization: 'Bearer x', origin: 'http://www.example.com' })).exit!
    expect(trusted.headers).toMatchObject({ 'access-control-allow-origin': 'http://www.example.com', 'access-control-allow-credentials': 'true' })
    const other = (await run(createWorld([{ status: 204 }]), { authorization: 'Bearer x', origin: 'http://evil.example.com' })).exit!
    expect(other.headers!['access-control-allow-origin']).toBeUndefined()
  })

  it('speaks DPoP when configured', async () => {
    const token = jwt()
    const { ctx, exit } = await run(createWorld([{ status: 200, body: token }]), { authorization: 'dpop opaque' }, config({ scheme: 'DPoP' }))
    expect(exit).toBeUndefined()
    expect(ctx.upstreamHeaders.authorization).toBe(`DPoP ${token}`)
    const denied = (await run(createWorld([{ status: 204 }]), { authorization: 'DPoP x' }, config({ scheme: 'DPoP' }))).exit!
    expect(denied.headers!['www-authenticate']).toBe('DPoP')
  })
})
