// What the upstream receives and what the client gets back: Kong's forwarding headers, hop-by-hop
// removal, streamed 100 MB bodies both ways, and Kong's 502/503/504 answers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createServer, request, type Server } from 'node:http'
import { Readable } from 'node:stream'
import { startGateway, waitForVersion } from '../support/processes.ts'
import { AdminClient } from '../support/admin-client.ts'
import { send } from '../support/http.ts'
import { startEchoUpstream, type EchoUpstream } from '../fixtures/echo-upstream.ts'

let gw: Awaited<ReturnType<typeof startGateway>>
let up: EchoUpstream
let admin: AdminClient
let garbage: Server
let silent: Server

function listen(s: Server): Promise<number> {
  return new Promise((r) => s.listen(0, '127.0.0.1', () => r((s.address() as any).port)))
}

beforeAll(async () => {
  up = await startEchoUpstream()
  garbage = createServer()
  garbage.on('connection', (sock) => sock.end('NOT HTTP AT ALL\r\n\r\n'))
  silent = createServer(() => {}) // accepts and never answers
  const gport = await listen(garbage)
  const sport = await listen(silent)
  gw = await startGateway()
  admin = new AdminClient(gw.admin.url)
  await admin.post('/services', { name: 'echo', url: up.url })
  await admin.post('/services/echo/routes', { paths: ['/echo'] })
  await admin.post('/services', { name: 'refused', url: 'http://127.0.0.1:1', retries: 1 })
  await admin.post('/services/refused/routes', { paths: ['/refused'] })
  await admin.post('/services', { name: 'garbage', url: `http://127.0.0.1:${gport}`, retries: 0 })
  await admin.post('/services/garbage/routes', { paths: ['/garbage'] })
  await admin.post('/services', { name: 'slow', url: `http://127.0.0.1:${sport}`, read_timeout: 300, retries: 0 })
  const last = await admin.post('/services/slow/routes', { paths: ['/slow'] })
  await waitForVersion(gw.proxy, last.version)
})
afterAll(async () => {
  await gw?.stop()
  await up?.close()
  garbage?.close()
  silent?.closeAllConnections()
  silent?.close()
})

describe('upstream request headers', () => {
  it('sets X-Forwarded-*, X-Real-IP, Via and X-Kong-Request-Id', async () => {
    const r = await send(`${gw.proxy.url}/echo/a/b?x=1`, { headers: { host: 'client.test:9999', 'x-forwarded-for': '10.0.0.1' } })
    const h = r.body.headers
    expect(h['x-forwarded-for']).toBe('10.0.0.1, 127.0.0.1')
    expect(h['x-real-ip']).toBe('127.0.0.1')
    expect(h['x-forwarded-proto']).toBe('http')
    expect(h['x-forwarded-host']).toBe('client.test')
    expect(h['x-forwarded-port']).toBe(String(gw.proxy.port))
    expect(h['x-forwarded-path']).toBe('/echo/a/b')
    expect(h['x-forwarded-prefix']).toBe('/echo')
    expect(h.via).toMatch(/^1\.1 /)
    expect(h['x-kong-request-id']).toBe(r.headers['x-kong-request-id'])
  })

  it('does not trust client X-Forwarded-Proto from untrusted addresses', async () => {
    const r = await send(`${gw.proxy.url}/echo`, { headers: { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'evil.test' } })
    expect(r.body.headers['x-forwarded-proto']).toBe('http')
    expect(r.body.headers['x-forwarded-host']).toBe('127.0.0.1')
  })

  it('removes hop-by-hop headers and the ones named in Connection', async () => {
    const r = await send(`${gw.proxy.url}/echo`, { headers: { connection: 'keep-alive, x-secret-hop', 'x-secret-hop': '1', 'keep-alive': 'timeout=5', 'proxy-connection': 'x', 'x-kept': 'yes' } })
    const h = r.body.headers
    expect(h['x-secret-hop']).toBeUndefined()
    expect(h['proxy-connection']).toBeUndefined()
    expect(h['keep-alive']).toBeUndefined()
    expect(h['x-kept']).toBe('yes')
  })

  it('never forwards client-sent consumer identity headers', async () => {
    const r = await send(`${gw.proxy.url}/echo`, { headers: { 'x-consumer-id': 'spoof', 'x-consumer-username': 'admin', 'x-credential-identifier': 'x', 'x-anonymous-consumer': 'false', 'x-consumer-custom-id': 'c' } })
    for (const name of ['x-consumer-id', 'x-consumer-username', 'x-credential-identifier', 'x-anonymous-consumer', 'x-consumer-custom-id']) {
      expect(r.body.headers[name]).toBeUndefined()
    }
  })

  it('adds Kong latency headers and the request id to proxied responses', async () => {
    const r = await send(`${gw.proxy.url}/echo`)
    expect(r.headers['x-kong-upstream-latency']).toMatch(/^\d+$/)
    expect(r.headers['x-kong-proxy-latency']).toMatch(/^\d+$/)
    expect(r.headers['x-kong-request-id']).toMatch(/^[0-9a-f]{32}$/)
    expect(r.headers.via).toMatch(/1\.1 /)
  })

  it('passes upstream error statuses through untouched', async () => {
    const r = await send(`${gw.proxy.url}/echo/status/418`)
    expect(r.status).toBe(418)
  })
})

describe('streaming', () => {
  const SIZE = 100 * 1024 * 1024

  it('streams a 100 MB upload to the upstream without buffering it', async () => {
    const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(`${gw.proxy.url}/echo/upload`, { method: 'POST', headers: { 'content-length': String(SIZE) } }, (r) => {
        let body = ''
        r.on('data', (d) => (body += d))
        r.on('end', () => resolve({ status: r.statusCode!, body }))
      })
      req.on('error', reject)
      const chunk = Buffer.alloc(1024 * 1024, 97)
      let sent = 0
      Readable.from(
        (function* () {
          while (sent < SIZE) {
            sent += chunk.length
            yield chunk
          }
        })(),
      ).pipe(req)
    })
    expect(res.status).toBe(200)
    expect(JSON.parse(res.body).bodyLength).toBe(SIZE)
  })

  it('streams a 100 MB download to the client', async () => {
    let received = 0
    const status = await new Promise<number>((resolve, reject) => {
      request(`${gw.proxy.url}/echo/bytes/${SIZE}`, (r) => {
        r.on('data', (d: Buffer) => (received += d.length))
        r.on('end', () => resolve(r.statusCode!))
      })
        .on('error', reject)
        .end()
    })
    expect(status).toBe(200)
    expect(received).toBe(SIZE)
    const st = (await (await fetch(`${gw.proxy.statusUrl}/status`)).json()) as any
    // a buffered body would add at least 100 MB to the proxy's resident set
    expect(st.memory.rss).toBeLessThan(230 * 1024 * 1024)
  })
})

describe('upstream failures', () => {
  it('answers 502 in text/plain when the upstream refuses connections and the client sent no Accept', async () => {
    const r = await send(`${gw.proxy.url}/refused`)
    expect(r.status).toBe(502)
    expect(r.headers['content-type']).toMatch(/^text\/plain/)
    expect(r.text).toBe(`An invalid response was received from the upstream server\nrequest_id: ${r.headers['x-kong-request-id']}\n`)
  })

  it('answers 502 in JSON for clients that accept JSON', async () => {
    const r = await send(`${gw.proxy.url}/refused`, { headers: { accept: 'application/json' } })
    expect(r.status).toBe(502)
    expect(r.body.message).toBe('An invalid response was received from the upstream server')
  })

  it('answers 502 for an upstream that does not speak HTTP', async () => {
    const r = await send(`${gw.proxy.url}/garbage`, { headers: { accept: 'application/json' } })
    expect(r.status).toBe(502)
  })

  it('answers 504 when the upstream does not answer within read_timeout', async () => {
    const r = await send(`${gw.proxy.url}/slow`, { headers: { accept: 'application/json' } })
    expect(r.status).toBe(504)
    expect(r.body.message).toBe('The upstream server is timing out')
  })
})
