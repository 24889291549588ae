// Kong's logging plugins against real collectors: http-log (serializer fields, custom_fields, batching,
// retry after a 500, bounded loss while the collector is down), file-log, tcp-log and udp-log, and a scan
// of the gateway's own output for the secrets the requests carried.
import { createServer as createHttpServer, type Server } from 'node:http'
import { createServer as createTcpServer, type Server as TcpServer } from 'node:net'
import { createSocket, type Socket as UdpSocket } from 'node:dgram'
import { mkdtempSync, readFileSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startGateway, waitForVersion } from '../support/processes.ts'
import { AdminClient } from '../support/admin-client.ts'
import { startEchoUpstream, type EchoUpstream } from '../fixtures/echo-upstream.ts'

interface Collector {
  port: number
  bodies: unknown[]
  attempts: number
  /** Answer 500 to this many more requests. */
  failNext: number
  close(): Promise<void>
}

function startCollector(port = 0): Promise<Collector> {
  const c: Collector = { port: 0, bodies: [], attempts: 0, failNext: 0, close: async () => undefined }
  const server: Server = createHttpServer((req, res) => {
    let body = ''
    req.on('data', (d) => (body += d))
    req.on('end', () => {
      c.attempts++
      if (c.failNext > 0) {
        c.failNext--
        return res.writeHead(500).end('down')
      }
      c.bodies.push(JSON.parse(body))
      res.writeHead(200).end('ok')
    })
  })
  return new Promise((resolve) =>
    server.listen(port, '127.0.0.1', () => {
      c.port = (server.address() as AddressInfo).port
      c.close = () => new Promise((r) => server.close(() => r()))
      resolve(c)
    }),
  )
}

async function until<T>(what: () => T | undefined | false, ms = 10_000): Promise<T> {
  const end = Date.now() + ms
  for (;;) {
    const v = what()
    if (v) return v
    if (Date.now() > end) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 25))
  }
}

const freePort = () => new Promise<number>((r) => { const s = createTcpServer().listen(0, '127.0.0.1', () => { const p = (s.address() as AddressInfo).port; s.close(() => r(p)) }) })

let gw: Awaited<ReturnType<typeof startGateway>>
let api: AdminClient
let up: EchoUpstream
let single: Collector
let batch: Collector
let flaky: Collector
let tcp: TcpServer
const tcpLines: string[] = []
let udp: UdpSocket
const datagrams: string[] = []
const dir = mkdtempSync(join(tmpdir(), 'postern-file-log-'))
let deadPort: number
const SECRET = 'Bearer very-secret-token-4711'

async function route(name: string, plugin: Record<string, unknown>) {
  await api.post(`/services/svc/routes`, { name, paths: [`/${name}`] })
  const r = await api.post(`/routes/${name}/plugins`, plugin)
  expect(r.status, r.text).toBe(201)
  return r.version
}
const get = (path: string, headers: Record<string, string> = {}) => fetch(`${gw.proxy.url}${path}`, { headers }).then((r) => r.text())

beforeAll(async () => {
  up = await startEchoUpstream()
  ;[single, batch, flaky] = await Promise.all([startCollector(), startCollector(), startCollector()])
  deadPort = await freePort()
  tcp = createTcpServer((s) => {
    let buf = ''
    s.on('data', (d) => {
      buf += d
      let i
      while ((i = buf.indexOf('\r\n')) >= 0) {
        tcpLines.push(buf.slice(0, i))
        buf = buf.slice(i + 2)
      }
    })
  })
  await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', () => r()))
  udp = createSocket('udp4')
  udp.on('message', (m) => datagrams.push(m.toString()))
  await new Promise<void>((r) => udp.bind(0, '127.0.0.1', () => r()))
  gw = await startGateway()
  api = new AdminClient(gw.admin.url)
  await api.post('/services', { name: 'svc', url: up.url })
  await route('single', { name: 'http-log', config: { http_endpoint: `http://user:pw@127.0.0.1:${single.port}/logs`, custom_fields: { tenant: '$(request.headers.x-tenant)', 'meta.app': 'billing', status: '$(response.status)' } } })
  await route('batch', { name: 'http-log', config: { http_endpoint: `http://127.0.0.1:${batch.port}/logs`, queue: { max_batch_size: 3, max_coalescing_delay: 5 } } })
  await route('flaky', { name: 'http-log', config: { http_endpoint: `http://127.0.0.1:${flaky.port}/logs`, queue: { initial_retry_delay: 0.05, max_retry_delay: 0.1 } } })
  await route('dead', { name: 'http-log', config: { http_endpoint: `http://127.0.0.1:${deadPort}/logs`, queue: { max_entries: 5, initial_retry_delay: 0.2, max_retry_delay: 0.2 } } })
  await route('file', { name: 'file-log', config: { path: join(dir, 'access.log') } })
  await route('tcp', { name: 'tcp-log', config: { host: '127.0.0.1', port: (tcp.address() as AddressInfo).port } })
  const v = await route('udp', { name: 'udp-log', config: { host: '127.0.0.1', port: (udp.address() as AddressInfo).port } })
  await waitForVersion(gw.proxy, v)
})
afterAll(async () => {
  await gw?.stop()
  await Promise.all([up?.close(), single?.close(), batch?.close(), flaky?.close()])
  tcp?.close()
  udp?.close()
})

describe('http-log', () => {
  it("sends Kong's serializer fields, with the Authorization header redacted and custom_fields applied", async () => {
    await get('/single/items?page=2', { authorization: SECRET, 'x-tenant': 'acme' })
    const e: any = await until(() => single.bodies[0])
    expect(e.request).toMatchObject({ method: 'GET', uri: '/single/items?page=2', querystring: { page: '2' } })
    expect(e.request.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/single\/items\?page=2$/)
    expect(e.request.headers.authorization).toBe('REDACTED')
    expect(e.response.status).toBe(200)
    expect(e.response.size).toBeGreaterThan(0)
    // the response's headers as the client got them (Kong: ngx.resp.get_headers())
    expect(e.response.headers['x-kong-request-id']).toBe(e.request.id)
    expect(e.response.headers['x-kong-upstream-latency']).toMatch(/^\d+$/)
    expect(e.upstream_uri).toBe('/items?page=2')
    expect(e.source).toBe('upstream')
    expect(e.route.name).toBe('single')
    expect(e.service.name).toBe('svc')
    expect(e.latencies).toEqual({ kong: expect.any(Number), proxy: expect.any(Number), request: expect.any(Number), receive: 0 })
    expect(e.client_ip).toBe('127.0.0.1')
    expect(e.started_at).toBeGreaterThan(Date.now() - 60_000)
    expect(e.workspace_name).toBe('default')
    expect(e).toMatchObject({ tenant: 'acme', meta: { app: 'billing' }, status: 200 })
  })

  it('batches entries into one JSON array of max_batch_size', async () => {
    await Promise.all([get('/batch/1'), get('/batch/2'), get('/batch/3')])
    const arr: any = await until(() => batch.bodies[0])
    expect(Array.isArray(arr)).toBe(true)
    expect(arr.map((e: any) => e.request.uri).sort()).toEqual(['/batch/1', '/batch/2', '/batch/3'])
    // no custom_fields: the entry's JSON is built directly; it has the same fields
    for (const e of arr) {
      expect(e.response.headers['x-kong-request-id']).toBe(e.request.id)
      expect(e.route.name).toBe('batch')
      expect(e.latencies).toEqual({ kong: expect.any(Number), proxy: expect.any(Number), request: expect.any(Number), receive: 0 })
    }
    expect(batch.attempts).toBe(1)
  })

  it('retries a batch after the collector answers 500', async () => {
    flaky.failNext = 2
    await get('/flaky/x')
    const e: any = await until(() => flaky.bodies[0])
    expect(e.request.uri).toBe('/flaky/x')
    expect(flaky.attempts).toBe(3)
  })

  it('keeps at most max_entries while the collector is down, says so once, and delivers them when it is back', async () => {
    for (let i = 0; i < 20; i++) await get(`/dead/${i}`)
    await until(() => (gw.proxy.output().match(/queue full, dropping old entries/g) ?? []).length >= 1)
    const late = await startCollector(deadPort)
    try {
      await until(() => late.bodies.length >= 5, 15_000)
      await new Promise((r) => setTimeout(r, 500))
      // the newest entries survive: at most the one in flight plus max_entries
      expect(late.bodies.length).toBeLessThanOrEqual(6)
      expect((late.bodies.at(-1) as any).request.uri).toBe('/dead/19')
      expect((gw.proxy.output().match(/queue full, dropping old entries/g) ?? []).length).toBe(1)
    } finally {
      await late.close()
    }
  })
})

describe('file-log, tcp-log and udp-log', () => {
  it('appends one JSON line per request to the file', async () => {
    await get('/file/a')
    await get('/file/b')
    const path = join(dir, 'access.log')
    const lines = await until(() => existsSync(path) && readFileSync(path, 'utf8').trim().split('\n').length >= 2 && readFileSync(path, 'utf8').trim().split('\n'))
    expect(lines.map((l) => JSON.parse(l).request.uri)).toEqual(['/file/a', '/file/b'])
  })

  it('writes CRLF-terminated JSON entries over TCP', async () => {
    await get('/tcp/a', { authorization: SECRET })
    const line = await until(() => tcpLines[0])
    const e = JSON.parse(line)
    expect(e.request.uri).toBe('/tcp/a')
    expect(e.request.headers.authorization).toBe('REDACTED')
  })

  it('sends one JSON datagram per request over UDP', async () => {
    await get('/udp/a')
    const d = await until(() => datagrams[0])
    expect(JSON.parse(d).response.status).toBe(200)
  })

  it('refuses custom_fields_by_lua with a clear message', async () => {
    const r = await api.post('/plugins', { name: 'http-log', config: { http_endpoint: 'http://127.0.0.1:1/', custom_fields_by_lua: { x: 'return 1' } } })
    expect(r.status).toBe(400)
    expect(r.body.fields.config.custom_fields_by_lua).toMatch(/Lua code is not supported/)
  })
})

describe('secrets', () => {
  it('never appear in the admin or proxy output', async () => {
    await get('/single/secret', { authorization: SECRET, apikey: 'api-key-secret-99' })
    await until(() => single.bodies.length >= 2)
    for (const out of [gw.proxy.output(), gw.admin.output()]) {
      expect(out).not.toContain('very-secret-token-4711')
      expect(out).not.toContain('api-key-secret-99')
      // the http-log endpoint's user info
      expect(out).not.toContain('user:pw')
    }
  })
})
