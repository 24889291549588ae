// Hop-by-hop headers on both legs (Kong §4.6/§4.9): what the upstream never receives (Proxy, Connection and
// what it names, Keep-Alive, Proxy-Connection, Upgrade, TE unless trailers) and what the client never gets.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createServer, type Server } from 'node:http'
import { startGateway, waitForVersion } from '../support/processes.ts'
import { AdminClient } from '../support/admin-client.ts'
import { send } from '../support/http.ts'
import { rawRequest } from '../support/raw-socket.ts'
import { startEchoUpstream, type EchoUpstream } from '../fixtures/echo-upstream.ts'

let gw: Awaited<ReturnType<typeof startGateway>>
let up: EchoUpstream
let admin: AdminClient
let hops: Server
let v = 0

async function w<T extends { version: number; status: number; text: string }>(p: Promise<T>): Promise<T> {
  const r = await p
  if (r.status >= 300) throw new Error(`${r.status} ${r.text}`)
  v = Math.max(v, r.version)
  return r
}

/** Upstream headers as the echo fixture saw them. */
async function upstreamSaw(headers: Record<string, string | string[]>, path = '/echo'): Promise<Record<string, string>> {
  const r = await send(gw.proxy.url + path, { headers })
  expect(r.status).toBe(200)
  return r.body.headers
}

beforeAll(async () => {
  up = await startEchoUpstream()
  // An upstream that answers with hop-by-hop headers of its own.
  hops = createServer((req, res) => {
    res.setHeader('connection', 'keep-alive, x-up-hop')
    res.setHeader('x-up-hop', 'secret')
    res.setHeader('keep-alive', 'timeout=5')
    res.setHeader('x-up-kept', 'yes')
    res.setHeader('trailer', 'x-checksum')
    res.setHeader('content-type', 'text/plain')
    res.write('body')
    res.addTrailers({ 'x-checksum': 'abc' })
    res.end()
  })
  const hport = await new Promise<number>((r) => hops.listen(0, '127.0.0.1', () => r((hops.address() as any).port)))
  gw = await startGateway()
  admin = new AdminClient(gw.admin.url)
  await w(admin.post('/services', { name: 'echo', url: up.url }))
  await w(admin.post('/services/echo/routes', { paths: ['/echo'] }))
  await w(admin.post('/services/echo/routes', { name: 'ka', paths: ['/ka'] }))
  await w(admin.post('/routes/ka/plugins', { name: 'key-auth' }))
  await w(admin.post('/consumers', { username: 'bob' }))
  await w(admin.post('/consumers/bob/key-auth', { key: 'bob-key' }))
  await w(admin.post('/services', { name: 'hops', url: `http://127.0.0.1:${hport}` }))
  await w(admin.post('/services/hops/routes', { paths: ['/hops'] }))
  await waitForVersion(gw.proxy, v)
})
afterAll(async () => {
  await gw?.stop()
  await up?.close()
  hops?.close()
})

describe('request headers the upstream never receives', () => {
  it('Proxy (httpoxy) never reaches the upstream; Proxy-Authorization does', async () => {
    const h = await upstreamSaw({ proxy: 'http://evil.test:8080', 'proxy-authorization': 'Basic eA==' })
    expect(h.proxy).toBeUndefined()
    expect(h['proxy-authorization']).toBe('Basic eA==')
  })

  it("Kong's own case (05-proxy/03-upstream_headers_spec: hop-by-hop headers are removed from request)", async () => {
    const h = await upstreamSaw({
      connection: 'X-Foo, X-Bar',
      'keep-alive': 'timeout=5, max=1000',
      proxy: 'Remove-Me',
      'proxy-connection': 'close',
      'proxy-authenticate': 'Basic',
      'proxy-authorization': 'Basic YWxhZGRpbjpvcGVuc2VzYW1l',
      te: 'trailers, deflate;q=0.5',
      upgrade: 'example/1, foo/2',
      'x-foo': 'Remove-Me',
      'x-bar': 'Remove-Me',
      'x-foo-bar': 'Keep-Me',
      close: 'Keep-Me',
    })
    expect(h['keep-alive']).toBeUndefined()
    expect(h.proxy).toBeUndefined()
    expect(h['proxy-connection']).toBeUndefined()
    expect(h.upgrade).toBeUndefined()
    expect(h['x-foo']).toBeUndefined()
    expect(h['x-bar']).toBeUndefined()
    expect(h['proxy-authenticate']).toBe('Basic')
    expect(h['proxy-authorization']).toBe('Basic YWxhZGRpbjpvcGVuc2VzYW1l')
    expect(h.te).toBe('trailers')
    expect(h['x-foo-bar']).toBe('Keep-Me')
    expect(h.close).toBe('Keep-Me')
  })

  it('Proxy is dropped from a raw request too, whatever its case', async () => {
    const r = await rawRequest(gw.proxy.port, 'GET /echo HTTP/1.1\r\nHost: localhost\r\nPROXY: http://evil.test\r\n\r\n')
    expect(r.status).toBe(200)
    expect(JSON.parse(r.body).headers.proxy).toBeUndefined()
  })

  it('drops every header named in Connection (case, spaces, empty items, repeated Connection headers)', async () => {
    const r = await rawRequest(
      gw.proxy.port,
      'GET /echo HTTP/1.1\r\nHost: localhost\r\nConnection: keep-alive, X-One ,, x-two\r\nConnection: X-Three\r\n' +
        'X-One: 1\r\nX-Two: 2\r\nX-Three: 3\r\nX-Kept: yes\r\n\r\n',
    )
    expect(r.status).toBe(200)
    const h = JSON.parse(r.body).headers
    expect(h['x-one']).toBeUndefined()
    expect(h['x-two']).toBeUndefined()
    expect(h['x-three']).toBeUndefined()
    expect(h['x-kept']).toBe('yes')
  })

  it('drops Keep-Alive, Proxy-Connection and Upgrade, and never forwards the client Connection', async () => {
    const h = await upstreamSaw({ 'keep-alive': 'timeout=5', 'proxy-connection': 'keep-alive', upgrade: 'h2c', connection: 'upgrade' })
    expect(h['keep-alive']).toBeUndefined()
    expect(h['proxy-connection']).toBeUndefined()
    expect(h.upgrade).toBeUndefined()
    expect(h.connection).not.toMatch(/upgrade/i)
  })

  it('a header named in Connection still reaches the auth plugin (Kong clears it after access)', async () => {
    const r = await send(`${gw.proxy.url}/ka`, { headers: { connection: 'apikey', apikey: 'bob-key' } })
    expect(r.status).toBe(200)
    expect(r.body.headers.apikey).toBeUndefined()
    expect(r.body.headers['x-consumer-username']).toBe('bob')
  })

  it('TE passes only as `trailers`, and only when the client asked for the trailers token', async () => {
    expect((await upstreamSaw({ te: 'trailers' })).te).toBe('trailers')
    expect((await upstreamSaw({ te: 'gzip, Trailers' })).te).toBe('trailers')
    expect((await upstreamSaw({ te: 'gzip' })).te).toBeUndefined()
    expect((await upstreamSaw({ te: 'notrailers' })).te).toBeUndefined()
  })

  it('the gateway still sets the forwarding headers a client names in Connection', async () => {
    const h = await upstreamSaw({ connection: 'x-forwarded-for, x-real-ip, via', 'x-forwarded-for': '10.0.0.1' })
    expect(h['x-forwarded-for']).toBe('10.0.0.1, 127.0.0.1')
    expect(h['x-real-ip']).toBe('127.0.0.1')
    expect(h.via).toMatch(/^1\.1 /)
  })
})

describe('response headers the client never gets', () => {
  it('drops Keep-Alive, the headers the upstream names in Connection, and Trailer without TE: trailers', async () => {
    const r = await send(`${gw.proxy.url}/hops`)
    expect(r.status).toBe(200)
    expect(r.text).toBe('body')
    expect(r.headers['x-up-hop']).toBeUndefined()
    expect(r.headers['keep-alive']).toBeUndefined()
    expect(r.headers.trailer).toBeUndefined()
    expect(r.headers['x-up-kept']).toBe('yes')
  })

  it('keeps Trailer (and the trailers) for a client that sent TE: trailers', async () => {
    const r = await rawRequest(gw.proxy.port, 'GET /hops HTTP/1.1\r\nHost: localhost\r\nTE: trailers\r\nConnection: close\r\n\r\n')
    expect(r.status).toBe(200)
    expect(r.headers.trailer).toBe('x-checksum')
    expect(r.raw).toMatch(/\r\n0\r\nx-checksum: abc\r\n/i)
  })
})
