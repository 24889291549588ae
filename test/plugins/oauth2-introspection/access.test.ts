// oauth2-introspection black-box against the fixture IdP's RFC 7662 JSON endpoint: Kong's 401 bodies,
// token sources, consumer mapping, X-Credential-* headers, hide_credentials, anonymous, preflight, cache.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startWorld, type World } from '../phantom-token/harness.ts'

let w: World
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const MISSING = { error: 'invalid_request', error_description: 'The access token is missing' }
const INVALID = { error: 'invalid_token', error_description: 'The access token is invalid or has expired' }

beforeAll(async () => {
  w = await startWorld()
  const base = { introspection_url: w.idp.urls.introspect, authorization_value: 'Basic ' + Buffer.from('api-gateway-client:Password1').toString('base64') }
  await w.expose('/plain', 'oauth2-introspection', { ...base, token_type_hint: 'access_token', custom_claims_forward: ['team', 'motto'], custom_introspection_headers: { X_Tenant: 'acme' }, introspect_request: true })
  await w.expose('/byclient', 'oauth2-introspection', { ...base, consumer_by: 'client_id' })
  await w.expose('/hidden', 'oauth2-introspection', { ...base, hide_credentials: true })
  await w.expose('/anon', 'oauth2-introspection', { ...base, anonymous: 'no-body' })
  await w.expose('/ghost', 'oauth2-introspection', { ...base, anonymous: 'ghost' })
  await w.expose('/preflight', 'oauth2-introspection', { ...base, run_on_preflight: false })
  await w.expose('/short', 'oauth2-introspection', { ...base, ttl: 1 })
  await w.expose('/badauth', 'oauth2-introspection', { ...base, authorization_value: 'Basic d3Jvbmc6d3Jvbmc=' })
  await w.applied(await w.admin.post('/consumers', { username: 'no-body' }))
  await w.applied(await w.admin.post('/consumers', { username: 'other', custom_id: 'api-client' }))
})
afterAll(async () => {
  await w?.stop()
})
beforeEach(() => {
  w.idp.delay('introspect', 0)
  w.idp.fault('introspect', null)
})

async function send(path: string, init: { headers?: Record<string, string>; method?: string; body?: string } = {}) {
  const res = await fetch(`${w.proxy}${path}`, { method: init.method ?? 'GET', headers: init.headers, body: init.body })
  const text = await res.text()
  let json: any
  try {
    json = JSON.parse(text)
  } catch {
    json = undefined
  }
  return { status: res.status, res, json, up: (json?.headers ?? {}) as Record<string, string> }
}
const bearer = (t: string) => ({ headers: { authorization: `Bearer ${t}` } })

describe('oauth2-introspection authentication', () => {
  it("answers Kong's 401 invalid_request when no token is sent", async () => {
    const r = await send('/plain/x')
    expect(r.status).toBe(401)
    expect(r.json).toEqual(MISSING)
    expect(r.res.headers.get('www-authenticate')).toBe('Bearer realm="service"')
  })

  it("answers Kong's 401 invalid_token for an unknown, expired or revoked token", async () => {
    const revoked = w.idp.issue()
    w.idp.revoke(revoked)
    for (const t of ['nope', w.idp.issue({ lifetimeSeconds: -1 }), revoked]) {
      const r = await send('/plain/x', bearer(t))
      expect(r.status).toBe(401)
      expect(r.json).toEqual(INVALID)
      expect(r.res.headers.get('www-authenticate')).toBe('Bearer realm="service" error="invalid_token" error_description="The access token is invalid or has expired"')
    }
  })

  it('introspects with JSON, the authorization value, the hint, custom headers and the request info', async () => {
    const t = w.idp.issue()
    expect((await send('/plain/some/path', bearer(t))).status).toBe(200)
    const call = w.idp.last.introspect!
    expect(call.body).toBe(`token=${t}&token_type_hint=access_token`)
    expect(call.headers).toMatchObject({ accept: 'application/json', 'x-tenant': 'acme', 'x-request-path': '/plain/some/path', 'x-request-http-method': 'GET' })
  })

  it('accepts the token from the query string, a form body and a Token scheme', async () => {
    expect((await send(`/plain/x?access_token=${w.idp.issue()}`)).status).toBe(200)
    const form = await send('/plain/x', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `a=1&access_token=${w.idp.issue()}` })
    expect(form.status).toBe(200)
    expect((await send('/plain/x', { headers: { authorization: `Token ${w.idp.issue()}` } })).status).toBe(200)
  })

  it('answers 400 for a JSON body that is not an object', async () => {
    const r = await send('/plain/x', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '"just a string"' })
    expect(r.status).toBe(400)
  })

  it('answers 500 without echoing the IdP when the IdP fails or rejects the gateway', async () => {
    w.idp.fault('introspect', { status: 503, body: 'stack trace here' })
    const a = await send('/plain/x', bearer(w.idp.issue()))
    expect(a.status).toBe(500)
    expect(JSON.stringify(a.json)).not.toContain('stack trace')
    w.idp.fault('introspect', null)
    expect((await send('/badauth/x', bearer(w.idp.issue()))).status).toBe(500)
  })
})

describe('oauth2-introspection upstream headers and consumers', () => {
  it('sets X-Credential-* from the answer and forwards custom claims made header-safe', async () => {
    const t = w.idp.issue({ username: 'alice', scope: 'read write', claims: { team: 'blue', motto: 'ok\r\nX-Injected: 1', ignored: 'x' } })
    const r = await send('/plain/x', bearer(t))
    expect(r.status).toBe(200)
    expect(r.up).toMatchObject({
      'x-credential-identifier': 'alice', 'x-credential-scope': 'read write', 'x-credential-client-id': 'api-client', 'x-credential-token-type': 'bearer',
      'x-credential-aud': 'api.example.com', 'x-credential-team': 'blue', 'x-credential-motto': 'ok  X-Injected: 1',
    })
    expect(Number(r.up['x-credential-exp'])).toBeGreaterThan(Date.now() / 1000)
    expect(r.up['x-injected']).toBeUndefined()
    expect(r.up['x-credential-ignored']).toBeUndefined()
    expect(r.up['x-consumer-id']).toBeUndefined()
    expect(r.up.authorization).toBe(`Bearer ${t}`)
  })

  it('maps the consumer by username, also one created after the token was first seen', async () => {
    const t = w.idp.issue({ username: 'late-user' })
    expect((await send('/plain/x', bearer(t))).up['x-consumer-username']).toBeUndefined()
    const c = await w.admin.post('/consumers', { username: 'late-user' })
    await w.applied(c)
    const r = await send('/plain/x', bearer(t))
    expect(r.up).toMatchObject({ 'x-consumer-id': c.body.id, 'x-consumer-username': 'late-user' })
  })

  it('maps the consumer by client_id to its custom_id', async () => {
    const r = await send('/byclient/x', bearer(w.idp.issue()))
    expect(r.up).toMatchObject({ 'x-consumer-username': 'other', 'x-consumer-custom-id': 'api-client' })
  })

  it('ignores consumer and credential headers sent by the client', async () => {
    const r = await send('/plain/x', { headers: { authorization: `Bearer ${w.idp.issue()}`, 'x-consumer-username': 'admin', 'x-credential-identifier': 'admin' } })
    expect(r.up['x-consumer-username']).toBeUndefined()
    expect(r.up['x-credential-identifier']).toBeUndefined()
  })

  it('hides the token from the header, the query string and a form body', async () => {
    expect((await send('/hidden/x', bearer(w.idp.issue()))).up.authorization).toBeUndefined()
    const q = await send(`/hidden/x?a=1&access_token=${w.idp.issue()}`)
    expect(q.json.url).toBe('/hidden/x?a=1')
    const f = await send('/hidden/x', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `a=1&access_token=${w.idp.issue()}` })
    expect(f.json.body).toBe('a=1')
  })

  it('uses the anonymous consumer when authentication fails, and 500 when it does not exist', async () => {
    const r = await send('/anon/x', bearer('nope'))
    expect(r.status).toBe(200)
    expect(r.up).toMatchObject({ 'x-anonymous-consumer': 'true', 'x-consumer-username': 'no-body' })
    const good = await send('/anon/x', bearer(w.idp.issue()))
    expect(good.up['x-anonymous-consumer']).toBeUndefined()
    expect((await send('/ghost/x', bearer('nope'))).status).toBe(500)
  })

  it('answers preflights with 401 by default and lets them through with run_on_preflight false', async () => {
    expect((await send('/plain/x', { method: 'OPTIONS' })).status).toBe(401)
    expect((await send('/preflight/x', { method: 'OPTIONS' })).status).toBe(200)
  })
})

describe('oauth2-introspection cache', () => {
  async function introspections(fn: () => Promise<unknown>): Promise<number> {
    const before = w.idp.calls.introspect
    await fn()
    return w.idp.calls.introspect - before
  }

  it('introspects once for repeated requests and again after the ttl', async () => {
    const t = w.idp.issue()
    expect(await introspections(async () => {
      for (let i = 0; i < 5; i++) expect((await send('/short/x', bearer(t))).status).toBe(200)
    })).toBe(1)
    await sleep(1100)
    expect(await introspections(() => send('/short/x', bearer(t)))).toBe(1)
  })

  it('does not cache inactive answers', async () => {
    expect(await introspections(async () => {
      for (let i = 0; i < 3; i++) await send('/plain/x', bearer('unknown-token'))
    })).toBe(3)
  })

  it('shares one IdP call between concurrent requests with a new token', async () => {
    w.idp.delay('introspect', 150)
    const t = w.idp.issue()
    expect(await introspections(() => Promise.all(Array.from({ length: 10 }, () => send('/plain/x', bearer(t)))))).toBe(1)
  })
})
