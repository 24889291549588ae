// HTTP/2 and gRPC through the proxy: an h2 client on the TLS listener (ALPN) reaching an HTTP/1.1 upstream,
// HTTP/1.1 still served there, and gRPC unary and server-streaming calls to a real @grpc/grpc-js server over
// h2c and TLS listeners, with trailers carried and Kong's gRPC mapping of gateway errors (404, 401).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect } from 'node:http2'
import { request } from 'node:https'
import * as grpc from '@grpc/grpc-js'
import { createServer, type Server } from 'node:http'
import WebSocket, { WebSocketServer } from 'ws'
import { startGateway, waitForVersion } from '../support/processes.ts'
import { AdminClient } from '../support/admin-client.ts'
import { startEchoUpstream, type EchoUpstream } from '../fixtures/echo-upstream.ts'
import { greeterDefinition, startGreeter, type GrpcFixture } from '../fixtures/grpc/server.ts'
import { makeCert } from '../fixtures/pki.ts'

let gw: Awaited<ReturnType<typeof startGateway>>
let admin: AdminClient
let up: EchoUpstream
let greeter: GrpcFixture
let tlsGreeter: GrpcFixture
let h2cPort: number
let wsUpstream: Server
const hello = greeterDefinition()

beforeAll(async () => {
  up = await startEchoUpstream()
  greeter = await startGreeter()
  tlsGreeter = await startGreeter(makeCert(['127.0.0.1']))
  wsUpstream = createServer()
  new WebSocketServer({ server: wsUpstream }).on('connection', (ws) => ws.on('message', (d, binary) => ws.send(d, { binary })))
  const wsPort = await new Promise<number>((r) => wsUpstream.listen(0, '127.0.0.1', () => r((wsUpstream.address() as any).port)))
  gw = await startGateway({ proxyEnv: { KONG_PROXY_LISTEN: '127.0.0.1:0, 127.0.0.1:0 http2, 127.0.0.1:0 http2 ssl' } })
  h2cPort = Number(gw.proxy.output().match(/postern ready: proxy [\d]+,(\d+)/)![1])
  admin = new AdminClient(gw.admin.url)
  await admin.post('/services', { name: 'echo', url: up.url })
  await admin.post('/services/echo/routes', { paths: ['/echo'] })
  await admin.post('/services', { name: 'ws', url: `http://127.0.0.1:${wsPort}` })
  await admin.post('/services/ws/routes', { paths: ['/ws'] })
  await admin.post('/services', { name: 'greeter', protocol: 'grpc', host: '127.0.0.1', port: greeter.port })
  await admin.post('/services/greeter/routes', { name: 'greet', protocols: ['grpc', 'grpcs'], paths: ['/hello.Greeter/SayHello', '/hello.Greeter/Count'], strip_path: false })
  await admin.post('/services/greeter/routes', { name: 'locked', protocols: ['grpc', 'grpcs'], paths: ['/hello.Greeter/'], hosts: ['locked.test'], strip_path: false })
  await admin.post('/routes/locked/plugins', { name: 'key-auth' })
  await admin.post('/services', { name: 'secure-greeter', protocol: 'grpcs', host: '127.0.0.1', port: tlsGreeter.port })
  await admin.post('/services/secure-greeter/routes', { protocols: ['grpc', 'grpcs'], paths: ['/hello.Greeter/'], hosts: ['secure.test'], strip_path: false })
  await admin.post('/services/greeter/routes', { protocols: ['grpcs'], paths: ['/hello.Greeter/'], hosts: ['only-tls.test'], strip_path: false })
  await admin.post('/consumers', { username: 'carol' })
  const last = await admin.post('/consumers/carol/key-auth', { key: 'carol-key' })
  await waitForVersion(gw.proxy, last.version)
})
afterAll(async () => {
  await gw?.stop()
  await up?.close()
  await greeter?.close()
  await tlsGreeter?.close()
  wsUpstream?.close()
})

function h2get(path: string): Promise<{ headers: Record<string, any>; body: string; alpn: string | false }> {
  return new Promise((resolve, reject) => {
    const s = connect(`https://127.0.0.1:${gw.proxy.tlsPort}`, { rejectUnauthorized: false })
    s.on('error', reject)
    const st = s.request({ ':path': path, 'x-test': 'h2' })
    let body = ''
    let headers: Record<string, any> = {}
    st.on('response', (h) => (headers = h))
    st.on('data', (c) => (body += c))
    st.on('end', () => {
      resolve({ headers, body, alpn: s.alpnProtocol ?? false })
      s.close()
    })
    st.on('error', reject)
  })
}

describe('HTTP/2 on the TLS listener', () => {
  it('negotiates h2 and proxies to an HTTP/1.1 upstream with the same request the plugins see', async () => {
    const r = await h2get('/echo/a?x=1')
    expect(r.alpn).toBe('h2')
    expect(r.headers[':status']).toBe(200)
    expect(r.headers['x-kong-request-id']).toBeTruthy()
    expect(r.headers.via).toMatch(/postern/)
    const seen = JSON.parse(r.body)
    expect(seen.url ?? seen.path).toMatch(/^\/a/)
    expect(seen.headers.host).toBe(`127.0.0.1:${up.port}`)
    expect(seen.headers['x-test']).toBe('h2')
    expect(seen.headers['x-forwarded-proto']).toBe('https')
    expect(seen.headers['x-forwarded-host']).toBe('127.0.0.1')
    expect(Object.keys(seen.headers).some((k) => k.startsWith(':'))).toBe(false)
  })

  it('streams a request body without content-length from an h2 client to the HTTP/1.1 upstream', async () => {
    const s = connect(`https://127.0.0.1:${gw.proxy.tlsPort}`, { rejectUnauthorized: false })
    const st = s.request({ ':path': '/echo/post', ':method': 'POST', 'content-type': 'text/plain' })
    st.write('part one, ')
    setTimeout(() => st.end('part two'), 20)
    let body = ''
    st.on('data', (c) => (body += c))
    await new Promise((r) => st.on('end', r))
    s.close()
    const seen = JSON.parse(body)
    expect(seen.body).toBe('part one, part two')
    expect(seen.headers['transfer-encoding']).toBe('chunked')
  })

  it('answers a route miss over h2 with Kong 404', async () => {
    const r = await h2get('/nowhere')
    expect(r.headers[':status']).toBe(404)
    expect(JSON.parse(r.body).message).toBe('no Route matched with those values')
  })

  it('still serves HTTP/1.1 clients on the same port', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: gw.proxy.tlsPort, path: '/echo/b', rejectUnauthorized: false }, (res) => {
        res.resume()
        resolve(res.statusCode!)
      })
      req.on('error', reject)
      req.end()
    })
    expect(status).toBe(200)
  })

  it('tunnels WebSocket (wss) over the HTTP/1.1 side of the same listener', async () => {
    const ws = new WebSocket(`wss://127.0.0.1:${gw.proxy.tlsPort}/ws`, { rejectUnauthorized: false })
    await new Promise((resolve, reject) => {
      ws.once('open', resolve)
      ws.once('error', reject)
    })
    ws.send('over tls')
    expect(await new Promise((r) => ws.once('message', (d) => r(d.toString())))).toBe('over tls')
    await new Promise((r) => {
      ws.once('close', r)
      ws.close()
    })
  })
})

function client(tls: boolean) {
  return tls
    ? new hello.Greeter(`localhost:${gw.proxy.tlsPort}`, grpc.credentials.createSsl(null, null, null, { checkServerIdentity: () => undefined, rejectUnauthorized: false } as any))
    : new hello.Greeter(`127.0.0.1:${h2cPort}`, grpc.credentials.createInsecure())
}

function unary(c: any, name: string, md = new grpc.Metadata()): Promise<{ err: grpc.ServiceError | null; reply: any; trailers?: grpc.Metadata }> {
  return new Promise((resolve) => {
    let trailers: grpc.Metadata | undefined
    const call = c.SayHello({ name }, md, (err: grpc.ServiceError | null, reply: any) => setImmediate(() => resolve({ err, reply, trailers })))
    call.on('status', (s: grpc.StatusObject) => (trailers = s.metadata))
  })
}

describe('gRPC', () => {
  for (const tls of [false, true]) {
    it(`unary call with trailers through the ${tls ? 'TLS (h2 by ALPN)' : 'h2c'} listener`, async () => {
      const c = client(tls)
      const md = new grpc.Metadata()
      md.set('x-client', 'yes')
      const r = await unary(c, 'kong', md)
      expect(r.err).toBeNull()
      expect(r.reply.message).toBe('hello kong')
      expect(r.trailers!.get('x-greeter-trailer')).toEqual(['done'])
      expect(greeter.lastMetadata!.get('x-client')).toEqual(['yes'])
      expect(greeter.lastMetadata!.get('x-forwarded-proto')).toEqual([tls ? 'https' : 'http'])
      c.close()
    })
  }

  it('reaches a grpcs service over TLS', async () => {
    const c = new hello.Greeter(`127.0.0.1:${h2cPort}`, grpc.credentials.createInsecure(), { 'grpc.default_authority': 'secure.test' })
    const r = await unary(c, 'tls')
    expect(r.err).toBeNull()
    expect(r.reply.message).toBe('hello tls')
    expect(tlsGreeter.lastMetadata!.get('x-forwarded-host')).toEqual(['secure.test'])
    c.close()
  })

  it('server-streaming call', async () => {
    const c = client(false)
    const got: string[] = []
    await new Promise<void>((resolve, reject) => {
      const call = c.Count({ to: 5 })
      call.on('data', (m: any) => got.push(m.message))
      call.on('end', resolve)
      call.on('error', reject)
    })
    expect(got).toEqual(['n1', 'n2', 'n3', 'n4', 'n5'])
    c.close()
  })

  it("carries the upstream's gRPC error status", async () => {
    const c = client(false)
    const r = await unary(c, 'missing')
    expect(r.err!.code).toBe(grpc.status.NOT_FOUND)
    expect(r.err!.details).toBe('no such name')
    c.close()
  })

  it("refuses what does not fit a gRPC route as Kong does (415, 426, grpcs over h2c)", async () => {
    const http1 = async (headers: Record<string, string>) => {
      const r = await fetch(`${gw.proxy.url}/hello.Greeter/SayHello`, { method: 'POST', headers, body: 'x' })
      return { status: r.status, body: await r.json(), upgrade: r.headers.get('upgrade') }
    }
    const a = await http1({ 'content-type': 'application/json' })
    expect(a.status).toBe(415)
    expect(a.body.message).toBe('Non-gRPC request matched gRPC route')
    const b = await http1({ 'content-type': 'application/grpc' })
    expect(b.status).toBe(426)
    expect(b.body.message).toBe('Please use HTTP2 protocol')
    expect(b.upgrade).toBe('HTTP/2')
    const c = new hello.Greeter(`127.0.0.1:${h2cPort}`, grpc.credentials.createInsecure(), { 'grpc.default_authority': 'only-tls.test' })
    const r = await unary(c, 'x')
    expect(r.err!.code).toBe(grpc.status.CANCELLED)
    expect(r.err!.details).toBe('gRPC request matched gRPCs route')
    c.close()
  })

  it("maps gateway errors to gRPC statuses as Kong does (404 → NOT_FOUND, key-auth 401 → UNAUTHENTICATED)", async () => {
    const miss = new grpc.Client(`127.0.0.1:${h2cPort}`, grpc.credentials.createInsecure())
    const r404 = await new Promise<grpc.ServiceError>((resolve) =>
      miss.makeUnaryRequest('/nothing.Here/Call', (x: Buffer) => x, (x: Buffer) => x, Buffer.alloc(0), (err) => resolve(err!)),
    )
    expect(r404.code).toBe(grpc.status.NOT_FOUND)
    expect(r404.details).toBe('NotFound')
    miss.close()

    const locked = new hello.Greeter(`127.0.0.1:${h2cPort}`, grpc.credentials.createInsecure(), { 'grpc.default_authority': 'locked.test' })
    const r401 = await unary(locked, 'x')
    expect(r401.err!.code).toBe(grpc.status.UNAUTHENTICATED)
    expect(r401.err!.details).toBe('Unauthenticated')
    const md = new grpc.Metadata()
    md.set('apikey', 'carol-key')
    const ok = await unary(locked, 'carol', md)
    expect(ok.err).toBeNull()
    expect(ok.reply.message).toBe('hello carol')
    expect(greeter.lastMetadata!.get('x-consumer-username')).toEqual(['carol'])
    locked.close()
  })
})
