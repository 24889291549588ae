// oauth2-introspection's access phase against scripted RFC 7662 answers.
import { describe, expect, it } from 'vitest'
import { createTestContext, createWorld, type TestRequest, type TestWorld } from '../_introspection/test-context.ts'
import { schema } from './schema.ts'
import { compile } from './compile.ts'
import { handler } from './handler.ts'

const ACTIVE = { status: 200, body: JSON.stringify({ active: true, username: 'alice', client_id: 'app', scope: 'read', sub: 's1', aud: ['a', 'b'], exp: Math.floor(Date.now() / 1000) + 600, team: 'blue' }) }
const config = (extra: Record<string, unknown> = {}) => compile(schema.parse({ introspection_url: 'http://idp/introspect', authorization_value: 'Basic Z3c6cHc=', ...extra }))

async function run(world: TestWorld, req: TestRequest = { headers: { authorization: 'Bearer tok' } }, conf = config()) {
  const ctx = createTestContext(world, conf, req)
  const exit = await handler.access!(ctx)
  return { ctx, exit: exit || undefined }
}

describe('oauth2-introspection access', () => {
  it('introspects with JSON accept, the configured authorization and the hint', async () => {
    const world = createWorld([ACTIVE])
    await run(world, undefined, config({ token_type_hint: 'access_token', custom_introspection_headers: { X_Tenant: 'acme' } }))
    expect(world.calls[0]).toMatchObject({ method: 'POST', body: 'token=tok&token_type_hint=access_token' })
    expect(world.calls[0].headers).toMatchObject({ accept: 'application/json', authorization: 'Basic Z3c6cHc=', 'x-tenant': 'acme' })
  })

  it('sets X-Credential-* headers and maps the consumer by username', async () => {
    const world = createWorld([ACTIVE])
    world.consumers.push({ id: 'c1', username: 'alice', custom_id: null })
    const { ctx, exit } = await run(world, undefined, config({ custom_claims_forward: ['team'] }))
    expect(exit).toBeUndefined()
    expect(ctx.consumer?.id).toBe('c1')
    expect(ctx.credential?.id).not.toContain('tok')
    expect(ctx.upstreamHeaders).toMatchObject({
      'x-consumer-id': 'c1', 'x-consumer-username': 'alice', 'x-credential-identifier': 'alice', 'x-credential-client-id': 'app',
      'x-credential-scope': 'read', 'x-credential-sub': 's1', 'x-credential-aud': 'a, b', 'x-credential-team': 'blue',
    })
    expect(ctx.upstreamHeaders['x-credential-jti']).toBeUndefined()
  })

  it('maps the consumer by client_id to custom_id', async () => {
    const world = createWorld([ACTIVE])
    world.consumers.push({ id: 'c2', username: 'other', custom_id: 'app' })
    const { ctx } = await run(world, undefined, config({ consumer_by: 'client_id' }))
    expect(ctx.consumer?.id).toBe('c2')
  })

  it("answers Kong's 401 bodies for a missing and an inactive token", async () => {
    const world = createWorld([{ status: 200, body: '{"active":false}' }])
    const missing = (await run(world, { headers: {} })).exit!
    expect(missing).toMatchObject({ status: 401, body: { error: 'invalid_request', error_description: 'The access token is missing' } })
    expect(missing.headers).toEqual({ 'www-authenticate': 'Bearer realm="service"' })
    const invalid = (await run(world)).exit!
    expect(invalid).toMatchObject({ status: 401, body: { error: 'invalid_token', error_description: 'The access token is invalid or has expired' } })
    expect(invalid.headers!['www-authenticate']).toBe('Bearer realm="service" error="invalid_token" error_description="The access token is invalid or has expired"')
  })

  it('answers 500 without echoing the IdP body when the IdP fails', async () => {
    for (const reply of [{ status: 401, body: 'bad client secret' }, { status: 200, body: 'not json' }, new Error('ECONNREFUSED')]) {
      const { exit } = await run(createWorld([reply]))
      expect(exit).toMatchObject({ status: 500, body: { message: 'An unexpected error occurred' }, template: true })
    }
  })

  it('reads access_token from the query string and hides it when asked', async () => {
    const world = createWorld([ACTIVE])
    let raw: string | undefined
    const ctx = createTestContext(world, config({ hide_credentials: true }), { query: 'access_token=qtok&x=1' })
    ctx.upstream.setRawQuery = (q) => void (raw = q)
    expect(await handler.access!(ctx)).toBeUndefined()
    expect(world.calls[0].body).toBe('token=qtok')
    expect(raw).toBe('x=1')
  })

  it('hides a header token and rejects a JSON body that is not an object', async () => {
    const hidden = await run(createWorld([ACTIVE]), { headers: { authorization: 'Token tok' } }, config({ hide_credentials: true }))
    expect(hidden.ctx.upstreamHeaders.authorization).toBeUndefined()
    const bad = await run(createWorld([ACTIVE]), { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': '5' }, body: '"str"' })
    expect(bad.exit).toMatchObject({ status: 400 })
  })

  it('falls back to the anonymous consumer, or 500 when it does not exist', async () => {
    const world = createWorld([{ status: 200, body: '{"active":false}' }])
    world.consumers.push({ id: 'anon', username: 'no-body', custom_id: null })
    const { ctx, exit } = await run(world, undefined, config({ anonymous: 'no-body' }))
    expect(exit).toBeUndefined()
    expect(ctx.upstreamHeaders).toMatchObject({ 'x-anonymous-consumer': 'true', 'x-consumer-username': 'no-body' })
    expect((await run(world, undefined, config({ anonymous: 'ghost' }))).exit).toMatchObject({ status: 500 })
  })

  it('caches active answers only', async () => {
    const world = createWorld([{ status: 200, body: '{"active":false}' }, ACTIVE])
    const conf = config()
    await run(world, undefined, conf)
    await run(world, undefined, conf)
    await run(world, undefined, conf)
    expect(world.calls).toHaveLength(2)
  })
})

describe('oauth2-introspection schema', () => {
  it("has Kong's defaults", () => {
    expect(schema.parse({ introspection_url: 'https://idp/i', authorization_value: 'Basic x' })).toEqual({
      introspection_url: 'https://idp/i', authorization_value: 'Basic x', ttl: 30, token_type_hint: null, timeout: 10000, keepalive: 60000,
      introspect_request: false, hide_credentials: false, run_on_preflight: true, anonymous: '', consumer_by: 'username',
      custom_introspection_headers: {}, custom_claims_forward: [],
    })
  })
  it('rejects an unknown consumer_by and a missing authorization_value', () => {
    expect(schema.safeParse({ introspection_url: 'https://idp/i', authorization_value: 'x', consumer_by: 'sub' }).success).toBe(false)
    expect(schema.safeParse({ introspection_url: 'https://idp/i' }).success).toBe(false)
  })
})
