// Service timeouts fire within a few ms of their setting, per attempt, so that with `retries` the total is
// what Kong's is: read_timeout before the headers and between body reads, connect_timeout on a stalled handshake.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createServer, type Server } from 'node:http'
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net'
import { startGateway, waitForVersion } from '../support/processes.ts'
import { AdminClient } from '../support/admin-client.ts'
import { send } from '../support/http.ts'
import { rawRequest } from '../support/raw-socket.ts'

let gw: Awaited<ReturnType<typeof startGateway>>
let admin: AdminClient
let silent: Server
let silentHits = 0
let stall: Server
let drip: Server
let handshake: TcpServer
let sink: Server
let handshakeConns = 0
const sockets = new Set<Socket>()
let v = 0
// Bounds: a timeout must fire at its setting plus the request's own overhead; the upper bounds leave room for a
// loaded machine and stay below what undici's 1 s clock gave (a 500 ms timeout fired after 1000–1100 ms).

async function w<T extends { version: number; status: number; text: string }>(p: Promise<T>): Promise<T> {
  const r = await p
  if (r.status >= 300) throw new Error(`${r.status} ${r.text}`)
  v = Math.max(v, r.version)
  return r
}

function listen(s: Server | TcpServer): Promise<number> {
  s.on('connection', (c: Socket) => {
    sockets.add(c)
    c.on('close', () => sockets.delete(c))
  })
  return new Promise((r) => s.listen(0, '127.0.0.1', () => r((s.address() as any).port)))
}

async function timed<T>(f: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now()
  const r = await f()
  return [r, performance.now() - t0]
}

async function service(name: string, url: string, extra: Record<string, unknown>): Promise<void> {
  await w(admin.post('/services', { name, url, ...extra }))
  await w(admin.post(`/services/${name}/routes`, { paths: [`/${name}`] }))
}

beforeAll(async () => {
  silent = createServer(() => void silentHits++) // reads the request, never answers
  // headers and a first chunk at once, then nothing
  stall = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' })
    res.write('first')
  })
  // five chunks 300 ms apart: 1.2 s in total, but never 500 ms without a read
  drip = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' })
    let n = 0
    const t = setInterval(() => {
      res.write(String(n++))
      if (n === 5) {
        clearInterval(t)
        res.end()
      }
    }, 300)
    res.on('close', () => clearInterval(t))
  })
  // accepts TCP and never answers the TLS ClientHello: the handshake is part of connect_timeout (nginx)
  handshake = createTcpServer(() => void handshakeConns++)
  // reads the request head, then never another byte of the body
  sink = createServer((req) => req.socket.pause())
  const [sp, tp, dp, hp, kp] = await Promise.all([listen(silent), listen(stall), listen(drip), listen(handshake), listen(sink)])
  gw = await startGateway()
  admin = new AdminClient(gw.admin.url)
  await service('read0', `http://127.0.0.1:${sp}`, { read_timeout: 500, retries: 0 })
  await service('read2', `http://127.0.0.1:${sp}`, { read_timeout: 500, retries: 2 })
  await service('slowok', `http://127.0.0.1:${dp}`, { read_timeout: 500, retries: 0 })
  await service('stall', `http://127.0.0.1:${tp}`, { read_timeout: 500, retries: 0 })
  await service('conn0', `https://127.0.0.1:${hp}`, { connect_timeout: 500, retries: 0 })
  await service('conn1', `https://127.0.0.1:${hp}`, { connect_timeout: 500, retries: 1 })
  await service('write0', `http://127.0.0.1:${kp}`, { write_timeout: 500, read_timeout: 60_000, retries: 0 })
  await waitForVersion(gw.proxy, v)
})
afterAll(async () => {
  await gw?.stop()
  for (const s of sockets) s.destroy()
  for (const s of [silent, stall, drip, handshake, sink]) s?.close()
})

describe('read_timeout', () => {
  it('500 ms with no retries → 504 after about 500 ms, not 1 s', async () => {
    const [r, ms] = await timed(() => send(`${gw.proxy.url}/read0`, { headers: { accept: 'application/json' } }))
    expect(r.status).toBe(504)
    expect(r.body.message).toBe('The upstream server is timing out')
    expect(ms).toBeGreaterThanOrEqual(450)
    expect(ms).toBeLessThan(900)
  })

  it('applies per attempt: retries 2 → three attempts, about 1.5 s in total', async () => {
    const before = silentHits
    const [r, ms] = await timed(() => send(`${gw.proxy.url}/read2`))
    expect(r.status).toBe(504)
    expect(silentHits - before).toBe(3)
    expect(ms).toBeGreaterThanOrEqual(1400)
    expect(ms).toBeLessThan(2300)
  })

  it('a POST is not retried once sent: one attempt, about 500 ms', async () => {
    const before = silentHits
    const [r, ms] = await timed(() => send(`${gw.proxy.url}/read2`, { method: 'POST', body: 'x' }))
    expect(r.status).toBe(504)
    expect(silentHits - before).toBe(1)
    expect(ms).toBeGreaterThanOrEqual(450)
    expect(ms).toBeLessThan(900)
  })

  it('counts between two reads, not in total: a 1.2 s response with a read every 300 ms completes', async () => {
    const r = await send(`${gw.proxy.url}/slowok`)
    expect(r.status).toBe(200)
    expect(r.text).toBe('01234')
  })

  it('a body that stalls after the headers: the connection is cut about 500 ms after the last read', async () => {
    const t0 = performance.now()
    const r = await rawRequest(gw.proxy.port, 'GET /stall HTTP/1.1\r\nHost: localhost\r\n\r\n', { timeoutMs: 5000 })
    const ms = performance.now() - t0
    expect(r.status).toBe(200)
    expect(r.closed).toBe(true)
    expect(r.raw).toContain('first')
    expect(r.raw).not.toMatch(/\r\n0\r\n\r\n$/) // never a clean end: the body is truncated
    expect(ms).toBeGreaterThanOrEqual(450)
    expect(ms).toBeLessThan(900)
  })
})

describe('connect_timeout', () => {
  it('500 ms on a handshake that never completes → 504 after about 500 ms', async () => {
    const [r, ms] = await timed(() => send(`${gw.proxy.url}/conn0`))
    expect(r.status).toBe(504)
    expect(ms).toBeGreaterThanOrEqual(450)
    expect(ms).toBeLessThan(900)
  })

  it('applies per attempt: retries 1 → two connections, about 1 s in total', async () => {
    const before = handshakeConns
    const [r, ms] = await timed(() => send(`${gw.proxy.url}/conn1`))
    expect(r.status).toBe(504)
    expect(handshakeConns - before).toBe(2)
    expect(ms).toBeGreaterThanOrEqual(900)
    expect(ms).toBeLessThan(1700)
  })
})

describe('write_timeout', () => {
  it('500 ms on an upstream that stops taking the body → 504 once the stall lasted 500 ms', async () => {
    // The body first fills the socket buffers between the processes (how long that takes depends on the
    // machine's load); the stall starts only then, so the precision itself is measured in timers.test.ts.
    const [r, ms] = await timed(() => send(`${gw.proxy.url}/write0`, { method: 'POST', body: Buffer.alloc(32 * 1024 * 1024, 'w') }))
    expect(r.status).toBe(504)
    expect(r.text).toMatch(/^The upstream server is timing out\n/)
    expect(ms).toBeGreaterThanOrEqual(450)
    expect(ms).toBeLessThan(3000)
  })
})
