// WebSocket through the proxy: echo of text and binary frames, clean close both ways, key-auth refusing
// the upgrade with its usual 401, an upstream that refuses the upgrade, and the service's idle timeout.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createServer, request, type Server } from 'node:http'
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https'
import WebSocket, { WebSocketServer } from 'ws'
import { makeCert } from '../fixtures/pki.ts'
import { startGateway, waitForVersion } from '../support/processes.ts'
import { AdminClient } from '../support/admin-client.ts'

let gw: Awaited<ReturnType<typeof startGateway>>
let admin: AdminClient
let upstream: Server
let wss: WebSocketServer
const seen: Array<Record<string, string | string[] | undefined>> = []
let upstreamClosed = 0
let tlsUpstream: HttpsServer

beforeAll(async () => {
  upstream = createServer((req, res) => {
    res.writeHead(403, { 'content-type': 'text/plain', 'content-length': '9' }).end('forbidden')
  })
  wss = new WebSocketServer({ noServer: true })
  upstream.on('upgrade', (req, socket, head) => {
    if (req.url?.startsWith('/refuse')) return void socket.end('HTTP/1.1 403 Forbidden\r\ncontent-length: 4\r\nconnection: close\r\n\r\nnope')
    seen.push(req.headers)
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on('message', (data, isBinary) => {
        if (!isBinary && data.toString() === 'bye') return ws.close(4000, 'server bye')
        ws.send(data, { binary: isBinary })
      })
      ws.on('close', () => upstreamClosed++)
    })
  })
  const port = await new Promise<number>((r) => upstream.listen(0, '127.0.0.1', () => r((upstream.address() as any).port)))
  tlsUpstream = createHttpsServer(makeCert(['127.0.0.1']))
  new WebSocketServer({ server: tlsUpstream }).on('connection', (ws) => ws.on('message', (d) => ws.send(`tls:${d}`)))
  const tlsPort = await new Promise<number>((r) => tlsUpstream.listen(0, '127.0.0.1', () => r((tlsUpstream.address() as any).port)))
  gw = await startGateway()
  admin = new AdminClient(gw.admin.url)
  await admin.post('/services', { name: 'ws', url: `http://127.0.0.1:${port}`, read_timeout: 60_000 })
  await admin.post('/services/ws/routes', { name: 'open', paths: ['/open'] })
  await admin.post('/services/ws/routes', { name: 'locked', paths: ['/locked'] })
  await admin.post('/services', { name: 'idle', url: `http://127.0.0.1:${port}`, read_timeout: 300 })
  await admin.post('/services/idle/routes', { paths: ['/idle'] })
  await admin.post('/services', { name: 'wss', url: `https://127.0.0.1:${tlsPort}` })
  await admin.post('/services/wss/routes', { paths: ['/secure'] })
  await admin.post('/routes/locked/plugins', { name: 'key-auth' })
  await admin.post('/consumers', { username: 'alice' })
  const last = await admin.post('/consumers/alice/key-auth', { key: 'alice-key' })
  await waitForVersion(gw.proxy, last.version)
})
afterAll(async () => {
  await gw?.stop()
  wss?.close()
  upstream?.closeAllConnections()
  upstream?.close()
  tlsUpstream?.close()
})

function open(path: string, headers: Record<string, string> = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${gw.proxy.port}${path}`, { headers })
    ws.once('open', () => resolve(ws))
    ws.once('error', reject)
  })
}

function next(ws: WebSocket): Promise<{ data: Buffer; binary: boolean }> {
  return new Promise((r) => ws.once('message', (data, binary) => r({ data: data as Buffer, binary })))
}

/** The status of a refused handshake, with its body. */
function refused(path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, any>; body: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${gw.proxy.port}${path}`, { headers })
    ws.once('open', () => reject(new Error('upgrade was accepted')))
    ws.once('unexpected-response', (_req, res) => {
      let body = ''
      res.on('data', (c) => (body += c))
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }))
    })
    ws.once('error', () => {})
  })
}

describe('WebSocket tunnel', () => {
  it('echoes text and binary frames and closes cleanly from the client', async () => {
    const ws = await open('/open/chat')
    ws.send('hello')
    const t = await next(ws)
    expect(t.binary).toBe(false)
    expect(t.data.toString()).toBe('hello')
    const bin = Buffer.from([0, 1, 2, 254, 255])
    ws.send(bin)
    const b = await next(ws)
    expect(b.binary).toBe(true)
    expect(Buffer.compare(b.data, bin)).toBe(0)
    const closedBefore = upstreamClosed
    const code = await new Promise<number>((r) => {
      ws.once('close', (c) => r(c))
      ws.close(1000, 'done')
    })
    expect(code).toBe(1000)
    const until = Date.now() + 5000
    while (upstreamClosed === closedBefore && Date.now() < until) await new Promise((r) => setTimeout(r, 20))
    expect(upstreamClosed).toBe(closedBefore + 1)
  })

  it('tunnels to an https upstream over TLS', async () => {
    const ws = await open('/secure')
    ws.send('hi')
    expect((await next(ws)).data.toString()).toBe('tls:hi')
    ws.close()
  })

  it('passes the upstream close frame to the client', async () => {
    const ws = await open('/open/chat')
    const closed = new Promise<{ code: number; reason: string }>((r) => ws.once('close', (code, reason) => r({ code, reason: reason.toString() })))
    ws.send('bye')
    expect(await closed).toEqual({ code: 4000, reason: 'server bye' })
  })

  it('sends Kong upstream headers with the upgrade request and Kong headers on the 101', async () => {
    const res = await new Promise<any>((r) => {
      const w = new WebSocket(`ws://127.0.0.1:${gw.proxy.port}/open/h`)
      let headers: any
      w.once('upgrade', (res) => (headers = res.headers))
      w.once('open', () => {
        r(headers)
        w.close()
      })
    })
    const h = seen.at(-1)!
    expect(h.upgrade).toBe('websocket')
    expect(String(h.connection).toLowerCase()).toBe('upgrade')
    expect(h['x-forwarded-for']).toBe('127.0.0.1')
    expect(h['x-forwarded-prefix']).toBe('/open')
    expect(h['sec-websocket-key']).toBeTruthy()
    expect(h['x-kong-request-id']).toBeTruthy()
    expect(res['x-kong-request-id']).toBeTruthy()
    expect(res.via).toMatch(/postern/)
    expect(res['sec-websocket-accept']).toBeTruthy()
  })

  it('lets key-auth refuse the upgrade with its 401 and accept it with a key', async () => {
    const r = await refused('/locked')
    expect(r.status).toBe(401)
    expect(r.headers['www-authenticate']).toBe('Key')
    expect(JSON.parse(r.body)).toEqual({ message: 'No API key found in request', request_id: r.headers['x-kong-request-id'] })
    const ws = await open('/locked', { apikey: 'alice-key' })
    ws.send('in')
    expect((await next(ws)).data.toString()).toBe('in')
    ws.close()
    expect(seen.at(-1)!['x-consumer-username']).toBe('alice')
  })

  it('answers 404 for an upgrade no route matches, and relays an upstream refusal', async () => {
    const r = await refused('/nowhere')
    expect(r.status).toBe(404)
    expect(JSON.parse(r.body).message).toBe('no Route matched with those values')
    const u = await refused('/open/refuse')
    expect(u.status).toBe(403)
    expect(u.body).toBe('nope')
  })

  it('answers other upgrade tokens (h2c) as ordinary requests, as Kong upgrades only to websocket', async () => {
    const r = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: gw.proxy.port, path: '/open/plain', headers: { connection: 'Upgrade, HTTP2-Settings', upgrade: 'h2c', 'http2-settings': 'AAMAAABkAARAAAAAAAIAAAAA' } }, (res) => {
        let body = ''
        res.on('data', (c) => (body += c))
        res.on('end', () => resolve({ status: res.statusCode!, body }))
      })
      req.on('error', reject)
      req.end()
    })
    expect(r).toEqual({ status: 403, body: 'forbidden' }) // the upstream's ordinary answer, not a tunnel
  })

  it("closes an idle tunnel after the service's read_timeout", async () => {
    const ws = await open('/idle')
    const started = Date.now()
    const code = await new Promise<number>((r) => ws.once('close', (c) => r(c)))
    expect(code).toBe(1006) // no close frame: the proxy dropped both sockets
    expect(Date.now() - started).toBeGreaterThanOrEqual(250)
  })
})
