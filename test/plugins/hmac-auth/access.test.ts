// hmac-auth through the proxy (Kong's 03-access_spec): date and clock skew, signature over the listed
// headers (request-line, @request-target), every algorithm, Digest body checks, enforce_headers,
// algorithms, hide_credentials, Proxy-Authorization, realm, anonymous and Kong's exact messages.
import { createHash, createHmac } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { startGateway } from '../../support/processes.ts'
import type { AdminClient, AdminResponse } from '../../support/admin-client.ts'
import { startPluginGateway, type PluginGateway } from '../../support/plugin-gateway.ts'
import { send } from '../../support/http.ts'
import type { EchoUpstream } from '../../fixtures/echo-upstream.ts'

const NO_DATE = 'HMAC signature cannot be verified, a valid date or x-date header is required for HMAC Authentication'
const NOT_VALID = 'HMAC signature cannot be verified'
const NOT_SAME = 'HMAC signature does not match'
const SECRET = 'bob-secret'

let gw: Awaited<ReturnType<typeof startGateway>>
let up: EchoUpstream
let admin: AdminClient
let g: PluginGateway
let bob: any
let anon: any

// admin writes and the wait for the proxy come from the shared plugin gateway (test/support/plugin-gateway.ts)
const w = <T extends AdminResponse>(p: Promise<T>): Promise<T> => g.w(p) as Promise<T>

/** What a client does: sign "name: value" lines (request-line for the request line) and send. */
function signed(opts: { path: string; method?: string; headers?: Record<string, string>; sign?: string[]; alg?: string; user?: string; secret?: string; body?: string; header?: string }) {
  const method = opts.method ?? 'GET'
  const headers: Record<string, string> = { date: new Date().toUTCString(), ...opts.headers }
  const names = opts.sign ?? ['date', 'request-line']
  const value = (n: string) => Object.entries(headers).find(([k]) => k.toLowerCase() === n.toLowerCase())?.[1]
  const lines = names.map((n) => {
    const v = value(n)
    if (v !== undefined) return `${n}: ${v}`
    if (n === 'request-line') return `${method} ${opts.path} HTTP/1.1`
    return n === '@request-target' ? `${n}: ${method.toLowerCase()} ${opts.path}` : `${n}:`
  })
  const alg = opts.alg ?? 'hmac-sha256'
  const sig = createHmac(alg.slice(5), opts.secret ?? SECRET).update(lines.join('\n')).digest('base64')
  headers[opts.header ?? 'authorization'] = `hmac username="${opts.user ?? 'bob'}", algorithm="${alg}", headers="${names.join(' ')}", signature="${sig}"`
  return send(gw.proxy.url + opts.path, { method, headers, body: opts.body })
}
const get = (path: string, headers: Record<string, string> = {}) => send(gw.proxy.url + path, { headers })

beforeAll(async () => {
  g = await startPluginGateway()
  ;({ gw, up, admin } = g)
  await w(admin.post('/services', { name: 'svc', url: up.url }))
  const routes: Record<string, Record<string, unknown>> = {
    plain: {},
    realm: { realm: 'my-realm' },
    hidden: { hide_credentials: true },
    body: { validate_request_body: true },
    enforce: { enforce_headers: ['date', 'x-custom'] },
    sha256only: { algorithms: ['hmac-sha256'] },
    skew: { clock_skew: 50 },
  }
  for (const [name, config] of Object.entries(routes)) {
    await w(admin.post('/services/svc/routes', { name, paths: [`/${name}`] }))
    await w(admin.post(`/routes/${name}/plugins`, { name: 'hmac-auth', config }))
  }
  bob = (await w(admin.post('/consumers', { username: 'bob', custom_id: 'b-1' }))).body
  anon = (await w(admin.post('/consumers', { username: 'anonymous' }))).body
  await w(admin.post('/services/svc/routes', { name: 'anon', paths: ['/anon'] }))
  await w(admin.post('/routes/anon/plugins', { name: 'hmac-auth', config: { anonymous: 'anonymous' } }))
  await w(admin.post('/consumers/bob/hmac-auth', { username: 'bob', secret: SECRET }))
  await g.sync()
})
afterAll(async () => {
  await gw?.stop()
  await up?.close()
})

describe('hmac-auth denials', () => {
  it('answers 401 Unauthorized with WWW-Authenticate: hmac when no credentials are sent', async () => {
    const r = await get('/plain')
    expect(r.status).toBe(401)
    expect(r.body).toEqual({ message: 'Unauthorized', request_id: expect.any(String) })
    expect(r.headers['www-authenticate']).toBe('hmac')
    expect((await get('/realm')).headers['www-authenticate']).toBe('hmac realm="my-realm"')
  })

  it('needs a Date or X-Date within clock_skew', async () => {
    const noDate = await get('/plain', { authorization: 'hmac username="bob"' })
    expect(noDate.status).toBe(401)
    expect(noDate.body.message).toBe(NO_DATE)
    const old = new Date(Date.now() - 400_000).toUTCString()
    expect((await signed({ path: '/plain', headers: { date: old } })).body.message).toBe(NO_DATE)
    expect((await signed({ path: '/plain', headers: { date: 'yesterday' } })).body.message).toBe(NO_DATE)
    const mid = new Date(Date.now() - 100_000).toUTCString()
    expect((await signed({ path: '/plain', headers: { date: mid } })).status).toBe(200)
    expect((await signed({ path: '/skew', headers: { date: mid } })).body.message).toBe(NO_DATE)
  })

  it('accepts X-Date when Date is missing or stale', async () => {
    const r = await signed({ path: '/plain', headers: { date: 'bad', 'x-date': new Date().toUTCString() }, sign: ['x-date', 'request-line'] })
    expect(r.status).toBe(200)
  })

  it('answers "cannot be verified" for malformed parameters or an unknown user', async () => {
    const date = new Date().toUTCString()
    for (const authorization of ['hmac username="bob"', 'Basic Ym9iOmtvbmc=', 'hmac username="bob", algorithm="hmac-sha256", headers="date", signature=""']) {
      const r = await get('/plain', { date, authorization })
      expect(r.status, authorization).toBe(401)
      expect(r.body.message).toBe(NOT_VALID)
    }
    expect((await signed({ path: '/plain', user: 'nobody' })).body.message).toBe(NOT_VALID)
  })

  it('answers "does not match" for a wrong secret, a changed header or another path', async () => {
    expect((await signed({ path: '/plain', secret: 'wrong' })).body.message).toBe(NOT_SAME)
    const date = new Date().toUTCString()
    const sig = createHmac('sha256', SECRET).update(`date: ${date}\nGET /plain/other HTTP/1.1`).digest('base64')
    const r = await get('/plain', { date, authorization: `hmac username="bob", algorithm="hmac-sha256", headers="date request-line", signature="${sig}"` })
    expect(r.status).toBe(401)
    expect(r.body.message).toBe(NOT_SAME)
    expect(r.headers['www-authenticate']).toBe('hmac')
  })

  it('rejects an algorithm outside config.algorithms and a signature missing an enforced header', async () => {
    expect((await signed({ path: '/sha256only', alg: 'hmac-sha1' })).body.message).toBe(NOT_VALID)
    expect((await signed({ path: '/sha256only', alg: 'hmac-sha256' })).status).toBe(200)
    expect((await signed({ path: '/enforce', headers: { 'x-custom': 'v' } })).body.message).toBe(NOT_VALID)
    expect((await signed({ path: '/enforce', headers: { 'x-custom': 'v' }, sign: ['date', 'x-custom', 'request-line'] })).status).toBe(200)
  })
})

describe('hmac-auth success', () => {
  it('verifies every algorithm and sets the identity headers (credential identified by username)', async () => {
    for (const alg of ['hmac-sha1', 'hmac-sha256', 'hmac-sha384', 'hmac-sha512']) {
      const r = await signed({ path: '/plain?a=1&b=%20x', alg })
      expect(r.status, alg).toBe(200)
      expect(r.body.headers).toMatchObject({ 'x-consumer-id': bob.id, 'x-consumer-username': 'bob', 'x-consumer-custom-id': 'b-1', 'x-credential-identifier': 'bob' })
      expect(r.body.headers.authorization).toMatch(/^hmac username="bob"/)
    }
  })

  it('signs @request-target, custom headers in any order, and absent headers as "name:"', async () => {
    expect((await signed({ path: '/plain', sign: ['@request-target', 'date'] })).status).toBe(200)
    expect((await signed({ path: '/plain', headers: { 'X-Custom': 'v' }, sign: ['x-custom', 'date', 'absent'] })).status).toBe(200)
  })

  it('reads Proxy-Authorization, and hide_credentials removes the header it used', async () => {
    const p = await signed({ path: '/plain', header: 'proxy-authorization' })
    expect(p.status).toBe(200)
    const h = await signed({ path: '/hidden' })
    expect(h.status).toBe(200)
    expect(h.body.headers.authorization).toBeUndefined()
    const hp = await signed({ path: '/hidden', header: 'proxy-authorization', headers: { authorization: 'keep' } })
    expect(hp.status).toBe(200)
    expect(hp.body.headers['proxy-authorization']).toBeUndefined()
    expect(hp.body.headers.authorization).toBe('keep')
  })
})

describe('hmac-auth validate_request_body', () => {
  const body = '{"a":"b"}'
  const digest = 'SHA-256=' + createHash('sha256').update(body).digest('base64')

  it('passes a body whose Digest matches, and the body reaches the upstream', async () => {
    const r = await signed({ path: '/body', method: 'POST', body, headers: { digest, 'content-type': 'application/json' }, sign: ['date', 'digest', 'request-line'] })
    expect(r.status).toBe(200)
    expect(r.body.body).toBe(body)
  })

  it('answers "does not match" for a wrong Digest or a body without one', async () => {
    const bad = await signed({ path: '/body', method: 'POST', body: '{"a":"c"}', headers: { digest }, sign: ['date', 'digest', 'request-line'] })
    expect(bad.status).toBe(401)
    expect(bad.body.message).toBe(NOT_SAME)
    const none = await signed({ path: '/body', method: 'POST', body })
    expect(none.body.message).toBe(NOT_SAME)
  })

  it('passes a request without body and without Digest', async () => {
    expect((await signed({ path: '/body' })).status).toBe(200)
  })

  it('does not look at the body when validation is off', async () => {
    expect((await signed({ path: '/plain', method: 'POST', body, headers: { digest: 'SHA-256=wrong' } })).status).toBe(200)
  })
})

describe('hmac-auth anonymous and changes', () => {
  it('lets failures through as the anonymous consumer', async () => {
    for (const r of [await get('/anon'), await signed({ path: '/anon', secret: 'wrong' })]) {
      expect(r.status).toBe(200)
      expect(r.body.headers['x-consumer-id']).toBe(anon.id)
      expect(r.body.headers['x-anonymous-consumer']).toBe('true')
    }
    expect((await signed({ path: '/anon' })).body.headers['x-consumer-username']).toBe('bob')
  })

  it('applies a rotated secret at once', async () => {
    await w(admin.patch('/hmac-auths/bob', { secret: 'rotated' }))
    await g.sync()
    expect((await signed({ path: '/plain' })).body.message).toBe(NOT_SAME)
    expect((await signed({ path: '/plain', secret: 'rotated' })).status).toBe(200)
  })
})
