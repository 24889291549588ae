// phantom-token black-box: every status mapping of the contract (spec §6), token parsing, scopes on every
// request, OPTIONS and HEAD, CORS on errors, and IdP bodies that cannot become a header.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { seedConfig, startWorld, type World } from './harness.ts'

let w: World
const UNAUTHORIZED = { code: 'unauthorized', message: 'Missing, invalid or expired access token' }
const FORBIDDEN = { code: 'forbidden', message: 'The token does not contain the required scope' }
const SERVER_ERROR = { code: 'server_error', message: 'Problem encountered authorizing the HTTP request' }

beforeAll(async () => {
  w = await startWorld()
  // token_cache_seconds 0 means 300 (Curity v2), so every test below uses fresh tokens instead.
  await w.expose('/api', 'phantom-token', seedConfig(w.idp, { trusted_web_origins: ['http://www.example.com'] }))
  await w.expose('/both', 'phantom-token', seedConfig(w.idp, { scope: 'read write' }))
  await w.expose('/noscope', 'phantom-token', seedConfig(w.idp, { scope: null }))
  await w.expose('/badsecret', 'phantom-token', seedConfig(w.idp, { client_secret: 'wrong' }))
  await w.expose('/closed', 'phantom-token', seedConfig(w.idp, { introspection_endpoint: 'http://127.0.0.1:1/introspect' }))
})
afterAll(async () => {
  await w?.stop()
})
beforeEach(() => {
  w.idp.fault('introspect', null)
})

const call = (path: string, headers: Record<string, string> = {}, method = 'GET') => fetch(`${w.proxy}${path}`, { method, headers })

describe('phantom-token status mapping', () => {
  it.each([204, 400, 401, 403, 404])('answers 401 unauthorized when the IdP answers %i', async (status) => {
    w.idp.fault('introspect', { status })
    const res = await call('/api/x', { authorization: `Bearer ${w.idp.issue()}` })
    expect(res.status).toBe(401)
    expect(res.headers.get('www-authenticate')).toBe('Bearer')
    expect(await res.text()).toBe(JSON.stringify(UNAUTHORIZED) + '\n')
  })

  it.each([500, 502, 503])('answers 500 server_error when the IdP answers %i', async (status) => {
    w.idp.fault('introspect', { status })
    const res = await call('/api/x', { authorization: `Bearer ${w.idp.issue()}` })
    expect(res.status).toBe(500)
    expect(await res.json()).toEqual(SERVER_ERROR)
  })

  it('answers 500 when the IdP drops the connection or its port is closed', async () => {
    w.idp.fault('introspect', { reset: true })
    expect((await call('/api/x', { authorization: `Bearer ${w.idp.issue()}` })).status).toBe(500)
    w.idp.fault('introspect', null)
    const res = await call('/closed/x', { authorization: `Bearer ${w.idp.issue()}` })
    expect(res.status).toBe(500)
    expect(await res.json()).toEqual(SERVER_ERROR)
  })

  it('answers 401 when the gateway introspects with a wrong client secret', async () => {
    const res = await call('/badsecret/x', { authorization: `Bearer ${w.idp.issue()}` })
    expect(res.status).toBe(401)
  })

  it('answers 401 for an expired or revoked token', async () => {
    const expired = w.idp.issue({ lifetimeSeconds: -1 })
    expect((await call('/api/x', { authorization: `Bearer ${expired}` })).status).toBe(401)
    const revoked = w.idp.issue()
    w.idp.revoke(revoked)
    expect((await call('/api/x', { authorization: `Bearer ${revoked}` })).status).toBe(401)
  })

  it('answers 500 instead of forwarding an IdP body that would break the Authorization header', async () => {
    w.idp.fault('introspect', { status: 200, body: 'ey.a.b\r\nX-Injected: yes' })
    const res = await call('/api/x', { authorization: `Bearer ${w.idp.issue()}` })
    expect(res.status).toBe(500)
    expect(w.upstream.requests.some((r) => r.headers['x-injected'])).toBe(false)
  })
})

describe('phantom-token token parsing', () => {
  it('answers 401 without calling the IdP for a missing header, another scheme or an empty token', async () => {
    const before = w.idp.calls.introspect
    for (const headers of [{}, { authorization: `Basic ${w.idp.issue()}` }, { authorization: 'Bearer ' }]) {
      const res = await call('/api/x', headers as Record<string, string>)
      expect(res.status).toBe(401)
      expect(await res.json()).toEqual(UNAUTHORIZED)
    }
    expect(w.idp.calls.introspect).toBe(before)
  })

  it('accepts the scheme in any case and extra spaces before the token', async () => {
    for (const scheme of ['BEARER', 'bEaReR', 'bearer         ']) {
      const res = await call('/api/x', { authorization: `${scheme} ${w.idp.issue()}` })
      expect(res.status).toBe(200)
    }
  })
})

describe('phantom-token scopes', () => {
  it('forwards when the token has every required scope', async () => {
    expect((await call('/both/x', { authorization: `Bearer ${w.idp.issue({ scope: 'read write' })}` })).status).toBe(200)
    expect((await call('/api/x', { authorization: `Bearer ${w.idp.issue({ scope: 'write read' })}` })).status).toBe(200)
  })

  it('answers 403 on every request, cached or not, when a scope is missing', async () => {
    const token = w.idp.issue({ scope: 'read' })
    const before = w.idp.calls.introspect
    for (let i = 0; i < 3; i++) {
      const res = await call('/both/x', { authorization: `Bearer ${token}` })
      expect(res.status).toBe(403)
      expect(await res.json()).toEqual(FORBIDDEN)
    }
    expect(w.idp.calls.introspect).toBe(before + 1)
  })

  it('does not check scopes when none is configured', async () => {
    expect((await call('/noscope/x', { authorization: `Bearer ${w.idp.issue({ scope: '' })}` })).status).toBe(200)
  })
})

describe('phantom-token preflight, HEAD and CORS', () => {
  it('lets OPTIONS through to the API without a token or an IdP call', async () => {
    const before = w.idp.calls.introspect
    const res = await call('/api/x', { origin: 'http://www.example.com', 'access-control-request-method': 'GET' }, 'OPTIONS')
    expect(res.status).toBe(200)
    expect(((await res.json()) as { method: string }).method).toBe('OPTIONS')
    expect(w.idp.calls.introspect).toBe(before)
  })

  it('answers HEAD with the same status and headers and no body', async () => {
    const res = await call('/api/x', { authorization: 'Bearer nope' }, 'HEAD')
    expect(res.status).toBe(401)
    expect(res.headers.get('www-authenticate')).toBe('Bearer')
    expect(await res.text()).toBe('')
  })

  it('adds CORS headers to 401, 403 and 500 answers for a trusted origin', async () => {
    const origin = { origin: 'http://www.example.com' }
    const r401 = await call('/api/x', { ...origin, authorization: 'Bearer nope' })
    const r403 = await call('/api/x', { ...origin, authorization: `Bearer ${w.idp.issue({ scope: 'write' })}` })
    w.idp.fault('introspect', { status: 503 })
    const r500 = await call('/api/x', { ...origin, authorization: `Bearer ${w.idp.issue()}` })
    expect([r401.status, r403.status, r500.status]).toEqual([401, 403, 500])
    for (const r of [r401, r403, r500]) {
      expect(r.headers.get('access-control-allow-origin')).toBe('http://www.example.com')
      expect(r.headers.get('access-control-allow-credentials')).toBe('true')
    }
  })

  it('does not add CORS headers for an untrusted origin or on a route without trusted origins', async () => {
    const a = await call('/api/x', { origin: 'http://WWW.example.com', authorization: 'Bearer nope' })
    const b = await call('/both/x', { origin: 'http://www.example.com', authorization: 'Bearer nope' })
    expect(a.headers.get('access-control-allow-origin')).toBeNull()
    expect(b.headers.get('access-control-allow-origin')).toBeNull()
  })
})
