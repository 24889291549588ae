// kong-auth-integration black-box: status mapping, the improvements over vechr's plugin (no spoofed
// X-User-Payload, header-safe encoding, size limit, strict timeout, opt-in cache) and preflights.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { USER } from '../../fixtures/idp.ts'
import { startWorld, type World } from '../phantom-token/harness.ts'

let w: World
let token: string
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

beforeAll(async () => {
  w = await startWorld()
  const base = { authentication_endpoint: w.idp.urls.session }
  await w.expose('/plain', 'kong-auth-integration', base)
  await w.expose('/small', 'kong-auth-integration', { ...base, max_payload_size: 64 })
  await w.expose('/quick', 'kong-auth-integration', { ...base, timeout: 200 })
  await w.expose('/cached', 'kong-auth-integration', { ...base, cache_ttl: 1 })
  await w.expose('/preflight', 'kong-auth-integration', { ...base, run_on_preflight: false })
  await w.expose('/custom', 'kong-auth-integration', { ...base, token_header: 'X-Access-Token', cookie_name: 'sid' })
  token = w.idp.issue({ username: USER.email })
})
afterAll(async () => {
  await w?.stop()
})
beforeEach(() => {
  w.idp.fault('session', null)
  w.idp.delay('session', 0)
  w.idp.sessionBody = null
})

async function get(path: string, headers: Record<string, string> = { authorization: `Bearer ${token}` }, method = 'GET') {
  const res = await fetch(`${w.proxy}${path}`, { method, headers })
  const text = await res.text()
  let echoed: { headers: Record<string, string> } | undefined
  try {
    echoed = JSON.parse(text)
  } catch {
    echoed = undefined
  }
  return { status: res.status, text, res, up: echoed?.headers ?? {} }
}

describe('kong-auth-integration status mapping', () => {
  it.each([403, 404, 500, 503])('passes an auth service %i on with an empty body and does not call the API', async (status) => {
    w.idp.fault('session', { status, body: 'internal detail' })
    const before = w.upstream.requests.length
    const r = await get('/plain/x')
    expect(r.status).toBe(status)
    expect(r.text).toBe('')
    expect(w.upstream.requests.length).toBe(before)
  })

  it('answers 500 Internal Server Error when the auth service drops the connection', async () => {
    w.idp.fault('session', { reset: true })
    const r = await get('/plain/x')
    expect(r.status).toBe(500)
    expect(r.text).toBe('Internal Server Error')
  })

  it('gives up after the configured timeout with 500', async () => {
    w.idp.delay('session', 3000)
    const t0 = Date.now()
    const r = await get('/quick/x')
    expect(r.status).toBe(500)
    expect(Date.now() - t0).toBeLessThan(2000)
  })
})

describe('kong-auth-integration payload', () => {
  it('never forwards a client-sent X-User-Payload', async () => {
    const r = await get('/plain/x', { authorization: `Bearer ${token}`, 'x-user-payload': '{"roles":["root"]}', 'x-user-payload-encoding': 'none' })
    expect(r.status).toBe(200)
    expect(JSON.parse(r.up['x-user-payload'])).toMatchObject({ email: USER.email })
    expect(r.up['x-user-payload-encoding']).toBeUndefined()
  })

  it('strips a client-sent X-User-Payload on preflights it lets through', async () => {
    const r = await get('/preflight/x', { 'x-user-payload': 'spoof' }, 'OPTIONS')
    expect(r.status).toBe(200)
    expect(r.up['x-user-payload']).toBeUndefined()
  })

  it('compacts a pretty-printed, non-ASCII JSON body into a header that parses to the same value', async () => {
    const body = '{\n  "id": 12345678901234567890,\n  "name": "José Müller 😀",\n  "roles": ["admin"]\n}\n'
    w.idp.sessionBody = () => body
    const r = await get('/plain/x')
    expect(r.status).toBe(200)
    expect(r.up['x-user-payload']).toMatch(/^[\x20-\x7e]+$/)
    expect(r.up['x-user-payload']).toContain('12345678901234567890')
    expect(JSON.parse(r.up['x-user-payload'])).toEqual(JSON.parse(body))
    expect(r.up['x-user-payload-encoding']).toBeUndefined()
  })

  it('base64-encodes a body that is neither header-safe nor JSON and says so', async () => {
    w.idp.sessionBody = () => 'user=john\r\nX-Injected: yes'
    const r = await get('/plain/x')
    expect(r.status).toBe(200)
    expect(r.up['x-injected']).toBeUndefined()
    expect(r.up['x-user-payload-encoding']).toBe('base64')
    expect(Buffer.from(r.up['x-user-payload'], 'base64').toString()).toBe('user=john\r\nX-Injected: yes')
  })

  it('refuses a payload over max_payload_size with 500', async () => {
    w.idp.sessionBody = () => JSON.stringify({ blob: 'x'.repeat(100) })
    expect((await get('/small/x')).status).toBe(500)
    w.idp.sessionBody = () => '{"id":1}'
    expect((await get('/small/x')).status).toBe(200)
  })

  it('takes the token from a custom header and a custom cookie', async () => {
    expect((await get('/custom/x', { 'x-access-token': `Bearer ${token}` })).status).toBe(200)
    expect((await get('/custom/x', { cookie: `sid=${token}` })).status).toBe(200)
    expect((await get('/custom/x', { authorization: `Bearer ${token}` })).status).toBe(401)
  })
})

describe('kong-auth-integration cache and preflight', () => {
  async function sessionCalls(fn: () => Promise<unknown>): Promise<number> {
    const before = w.idp.calls.session
    await fn()
    return w.idp.calls.session - before
  }

  it('asks the auth service on every request by default', async () => {
    expect(await sessionCalls(async () => {
      for (let i = 0; i < 3; i++) await get('/plain/x')
    })).toBe(3)
  })

  it('with cache_ttl, asks once per token until the TTL passes', async () => {
    const t = w.idp.issue()
    const h = { authorization: `Bearer ${t}` }
    expect(await sessionCalls(async () => {
      for (let i = 0; i < 5; i++) expect((await get('/cached/x', h)).status).toBe(200)
    })).toBe(1)
    await sleep(1100)
    expect(await sessionCalls(() => get('/cached/x', h))).toBe(1)
  })

  it('with cache_ttl, shares one call between concurrent requests', async () => {
    w.idp.delay('session', 150)
    const h = { authorization: `Bearer ${w.idp.issue()}` }
    expect(await sessionCalls(() => Promise.all(Array.from({ length: 10 }, () => get('/cached/x', h))))).toBe(1)
  })

  it('answers preflights with 401 by default and lets them through with run_on_preflight false', async () => {
    expect((await get('/plain/x', {}, 'OPTIONS')).status).toBe(401)
    expect((await get('/preflight/x', {}, 'OPTIONS')).status).toBe(200)
  })
})
