// Request heads as an attacker sends them, over raw sockets against a real proxy: absolute-form targets
// (the key-auth bypass), and the answers nginx gives (400/405/414) in Kong's error format.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startGateway, waitForVersion } from '../support/processes.ts'
import { AdminClient } from '../support/admin-client.ts'
import { rawRequest } from '../support/raw-socket.ts'
import { startEchoUpstream, type EchoUpstream } from '../fixtures/echo-upstream.ts'

let gw: Awaited<ReturnType<typeof startGateway>>
let up: EchoUpstream
let admin: AdminClient
let v = 0

async function w<T extends { version: number; status: number; text: string }>(p: Promise<T>): Promise<T> {
  const r = await p
  if (r.status >= 300) throw new Error(`${r.status} ${r.text}`)
  v = Math.max(v, r.version)
  return r
}

const raw = (head: string, opts?: { body?: string }) => rawRequest(gw.proxy.port, head, opts)
const ID = /^[0-9a-f]{32}$/

beforeAll(async () => {
  up = await startEchoUpstream()
  gw = await startGateway()
  admin = new AdminClient(gw.admin.url)
  await w(admin.post('/services', { name: 'svc', url: up.url }))
  await w(admin.post('/services/svc/routes', { name: 'ka', paths: ['/ka'] }))
  await w(admin.post('/services/svc/routes', { name: 'all', paths: ['/'] }))
  await w(admin.post('/services/svc/routes', { name: 'hosted', hosts: ['api.test'], paths: ['/hosted'] }))
  await w(admin.post('/routes/ka/plugins', { name: 'key-auth' }))
  await w(admin.post('/consumers', { username: 'bob' }))
  await w(admin.post('/consumers/bob/key-auth', { key: 'bob-key' }))
  await waitForVersion(gw.proxy, v)
})
afterAll(async () => {
  await gw?.stop()
  await up?.close()
})

describe('absolute-form request targets', () => {
  it('meets the path-scoped route and its key-auth (401), like the origin-form request', async () => {
    const origin = await raw('GET /ka/secret HTTP/1.1\r\nHost: localhost\r\nAccept: application/json\r\n\r\n')
    expect(origin.status).toBe(401)
    const abs = await raw(`GET http://localhost:${gw.proxy.port}/ka/secret HTTP/1.1\r\nHost: localhost\r\nAccept: application/json\r\n\r\n`)
    expect(abs.status).toBe(401)
    expect(JSON.parse(abs.body).message).toBe('No API key found in request')
  })

  it('forwards only the path and query upstream, with X-Forwarded-Path and strip_path applied to the path', async () => {
    const r = await raw('GET http://localhost/ka/a/b?x=1&y=%20 HTTP/1.1\r\nHost: localhost\r\napikey: bob-key\r\n\r\n')
    expect(r.status).toBe(200)
    const echo = JSON.parse(r.body)
    expect(echo.url).toBe('/a/b?x=1&y=%20')
    expect(echo.headers['x-forwarded-path']).toBe('/ka/a/b')
    expect(echo.headers['x-forwarded-prefix']).toBe('/ka')
  })

  it('takes the host from the authority, not the Host header (RFC 9112 §3.2.2)', async () => {
    const r = await raw('GET http://api.test:8123/hosted HTTP/1.1\r\nHost: other.test\r\n\r\n')
    expect(r.status).toBe(200)
    const echo = JSON.parse(r.body)
    expect(echo.headers['x-forwarded-host']).toBe('api.test')
    // without a path the target is '/'
    const root = await raw('GET http://other.test HTTP/1.1\r\nHost: other.test\r\n\r\n')
    expect(root.status).toBe(200)
    expect(JSON.parse(root.body).url).toBe('/')
  })

  it('refuses targets that are neither origin- nor absolute-form, and userinfo in the authority', async () => {
    for (const target of ['*', 'ka/secret', 'http://user@localhost/ka', 'http:///ka']) {
      const r = await raw(`GET ${target} HTTP/1.1\r\nHost: localhost\r\n\r\n`)
      expect(r.status, target).toBe(400)
    }
  })
})

describe('answers nginx gives', () => {
  it('TRACE → 405 Method not allowed in Kong format', async () => {
    const r = await raw('TRACE /anything HTTP/1.1\r\nHost: localhost\r\nAccept: application/json\r\n\r\n')
    expect(r.status).toBe(405)
    expect(r.headers['content-type']).toBe('application/json; charset=utf-8')
    const body = JSON.parse(r.body)
    expect(body.message).toBe('Method not allowed')
    expect(body.request_id).toMatch(ID)
    expect(body.request_id).toBe(r.headers['x-kong-request-id'])
  })

  it("Kong's own cases (05-proxy/13-error_handlers_spec, 04-plugins_triggering_spec)", async () => {
    const large = await raw(`GET / HTTP/1.1\r\nHost: localhost\r\nX-Large: ${'a'.repeat(10 * 1024)}\r\n\r\n`)
    expect(large.status).toBe(400)
    expect(large.body).toMatch(/Request header or cookie too large/)
    const trace = await raw('TRACE / HTTP/1.1\r\nHost: localhost\r\n\r\n')
    expect(trace.status).toBe(405)
    expect(trace.body).toMatch(/^Method not allowed\nrequest_id: [0-9a-f]+\n$/)
    const query = await raw(`GET /?foo=${'a'.repeat(10 * 1024)} HTTP/1.1\r\nHost: localhost\r\n\r\n`)
    expect(query.status).toBe(414)
  })

  it('CONNECT → 405 in Kong format, never a silently dropped connection', async () => {
    const r = await raw('CONNECT localhost:443 HTTP/1.1\r\nHost: localhost:443\r\nAccept: application/json\r\n\r\n')
    expect(r.status).toBe(405)
    expect(r.headers['content-type']).toBe('application/json; charset=utf-8')
    expect(JSON.parse(r.body)).toEqual({ message: 'Method not allowed', request_id: r.headers['x-kong-request-id'] })
  })

  it('two Host headers → 400', async () => {
    const r = await raw('GET /ka HTTP/1.1\r\nHost: localhost\r\nHost: api.test\r\n\r\n')
    expect(r.status).toBe(400)
    expect(r.body).toBe(`Bad request\nrequest_id: ${r.headers['x-kong-request-id']}\n`)
    expect(r.closed).toBe(true)
  })

  it('a Host with invalid characters → 400', async () => {
    for (const host of ['exa mple.test', 'a/b.test', 'a..b.test', '']) {
      const r = await raw(`GET / HTTP/1.1\r\nHost: ${host}\r\n\r\n`)
      expect(r.status, JSON.stringify(host)).toBe(400)
    }
    // a trailing dot and a port are fine
    expect((await raw('GET / HTTP/1.1\r\nHost: localhost.:80\r\n\r\n')).status).toBe(200)
  })

  it('Transfer-Encoding on an HTTP/1.0 request → 400', async () => {
    const r = await raw('POST / HTTP/1.0\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n', { body: '3\r\nabc\r\n0\r\n\r\n' })
    expect(r.status).toBe(400)
    expect(r.body).toMatch(/^Bad request\n/)
  })

  it('%00 (and a broken escape) in the path → 400; %00 in the query is not looked at', async () => {
    expect((await raw('GET /a%00b HTTP/1.1\r\nHost: localhost\r\n\r\n')).status).toBe(400)
    expect((await raw('GET /a%zz HTTP/1.1\r\nHost: localhost\r\n\r\n')).status).toBe(400)
    expect((await raw('GET /a%2 HTTP/1.1\r\nHost: localhost\r\n\r\n')).status).toBe(400)
    expect((await raw('GET /a?x=%00 HTTP/1.1\r\nHost: localhost\r\n\r\n')).status).toBe(200)
  })

  it('a path that climbs above the root → 400 (nginx), one that stays inside is normalized', async () => {
    for (const path of ['/../etc/passwd', '/ka/../../x', '/%2e%2e/ka']) {
      expect((await raw(`GET ${path} HTTP/1.1\r\nHost: localhost\r\n\r\n`)).status, path).toBe(400)
    }
    const inside = await raw('GET /x/../ka HTTP/1.1\r\nHost: localhost\r\n\r\n')
    expect(inside.status).toBe(401) // normalized to /ka: key-auth still applies
  })

  it('a request line over 8k → 414 URI too long', async () => {
    const r = await raw(`GET /${'a'.repeat(9000)} HTTP/1.1\r\nHost: localhost\r\nAccept: application/json\r\n\r\n`)
    expect(r.status).toBe(414)
    expect(JSON.parse(r.body).message).toBe('URI too long')
    // far over node's buffer too: refused while parsing, still 414
    const huge = await raw(`GET /${'a'.repeat(60_000)} HTTP/1.1\r\nHost: localhost\r\n\r\n`)
    expect(huge.status).toBe(414)
    expect(huge.body).toBe(`URI too long\nrequest_id: ${huge.headers['x-kong-request-id']}\n`)
    // just under the limit is fine
    expect((await raw(`GET /${'a'.repeat(8000)} HTTP/1.1\r\nHost: localhost\r\n\r\n`)).status).toBe(200)
  })

  it('a header line over 8k, or headers over 32k in total → 400 Request header or cookie too large', async () => {
    const one = await raw(`GET / HTTP/1.1\r\nHost: localhost\r\nCookie: ${'c'.repeat(9000)}\r\n\r\n`)
    expect(one.status).toBe(400)
    expect(one.body).toBe(`Request header or cookie too large\nrequest_id: ${one.headers['x-kong-request-id']}\n`)
    const many = Array.from({ length: 6 }, (_, i) => `X-H${i}: ${'v'.repeat(7000)}\r\n`).join('')
    expect((await raw(`GET / HTTP/1.1\r\nHost: localhost\r\n${many}\r\n`)).status).toBe(400)
    const huge = await raw(`GET / HTTP/1.1\r\nHost: localhost\r\nX-Big: ${'b'.repeat(60_000)}\r\n\r\n`)
    expect(huge.status).toBe(400)
    expect(huge.body).toMatch(/^Request header or cookie too large\n/)
    // 7k headers are fine
    expect((await raw(`GET / HTTP/1.1\r\nHost: localhost\r\nCookie: ${'c'.repeat(7000)}\r\n\r\n`)).status).toBe(200)
  })

  it('a malformed request → 400 with Kong\'s Bad request body and request_id, never an empty 400/431', async () => {
    for (const head of ['GARBAGE\r\n\r\n', 'GET / HTTP/1.1\r\nBad Header Name: x\r\n\r\n', 'GET / HTTP/1.1\r\n\r\n' /* no Host */, 'GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n']) {
      const r = await raw(head)
      expect(r.status, JSON.stringify(head)).toBe(400)
      expect(r.headers['content-type']).toBe('text/plain; charset=utf-8')
      expect(r.headers['x-kong-request-id']).toMatch(ID)
      expect(r.body).toBe(`Bad request\nrequest_id: ${r.headers['x-kong-request-id']}\n`)
      expect(r.closed).toBe(true)
    }
  })
})
