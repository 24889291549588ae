// Test-only helpers for the upstream tests: a tiny proxy around forward(), raw servers and an HTTP client.
import { createServer, request, type IncomingMessage, type Server } from 'node:http'
import { createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net'
import { KIND_RESPONSE } from './errors.ts'
import { forward, type ForwardHooks, type ForwardResult } from './forward.ts'
import { renderKongError } from './kong-errors.ts'
import { UpstreamPools, type UpstreamTarget } from './pools.ts'

export function target(port: number, over: Partial<UpstreamTarget> = {}): UpstreamTarget {
  return {
    protocol: 'http', host: '127.0.0.1', port,
    connectTimeout: 2000, writeTimeout: 5000, readTimeout: 5000, retries: 0, ...over,
  }
}

/** Listens on an ephemeral port and tracks sockets so close() never hangs on keep-alive connections. */
export async function listen<S extends Server | NetServer>(server: S): Promise<{ server: S; port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>()
  server.on('connection', (s: Socket) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const port = (server.address() as AddressInfo).port
  const close = () =>
    new Promise<void>((r) => {
      for (const s of sockets) s.destroy()
      server.close(() => r())
    })
  return { server, port, close }
}

/** A port nothing listens on (bound then released). */
export async function deadPort(): Promise<number> {
  const l = await listen(createNetServer())
  await l.close()
  return l.port
}

/** Raw TCP upstream: `onSocket` sees each connection; used for garbage, silence and resets. */
export async function rawUpstream(onSocket: (s: Socket) => void) {
  return listen(createNetServer(onSocket))
}

export interface TestProxy {
  port: number
  pools: UpstreamPools
  results: ForwardResult[]
  /** Resolves with the result of the next forward() call to settle (or an already-settled unread one). */
  nextResult(): Promise<ForwardResult>
  close(): Promise<void>
}

/** A minimal gateway: copies client headers, sets Host, forwards, renders Kong errors when nothing was sent. */
export async function startProxy(t: UpstreamTarget, hooks: () => ForwardHooks = () => ({ onHeaders: (s) => s })): Promise<TestProxy> {
  const pools = new UpstreamPools()
  const results: ForwardResult[] = []
  let read = 0
  const waiters: Array<(r: ForwardResult) => void> = []
  const server = createServer((req, res) => {
    const headers = { ...req.headers } as Record<string, string | string[]>
    delete headers.connection
    delete headers['keep-alive']
    headers.host = `${t.host}:${t.port}`
    forward(pools, t, { method: req.method ?? 'GET', path: req.url ?? '/', headers, body: req }, res, hooks()).then(
      (r) => {
        results.push(r)
        const w = waiters.shift()
        if (w) {
          read++
          w(r)
        }
        if (!r.ok && !r.headersSent && !res.destroyed) {
          const spec = KIND_RESPONSE[r.kind]
          const e = renderKongError(spec.status, spec.message, {
            accept: req.headers.accept, contentType: req.headers['content-type'], requestId: 'rid', producer: spec.producer,
          })
          res.writeHead(spec.status, { 'content-type': e.contentType }).end(e.body)
        }
      },
      (err) => {
        if (!res.headersSent) res.writeHead(500).end(String(err))
      },
    )
  })
  const l = await listen(server)
  return {
    port: l.port,
    pools,
    results,
    nextResult: () =>
      read < results.length ? Promise.resolve(results[read++]) : new Promise<ForwardResult>((r) => waiters.push(r)),
    close: async () => {
      await l.close()
      await pools.close()
    },
  }
}

export interface ClientResponse {
  status: number
  headers: IncomingMessage['headers']
  body: Buffer
  /** Total bytes received (the body is not kept when `count` is set). */
  length: number
}

/** HTTP/1.1 client on a fresh connection; `body` may be an async generator (streamed with backpressure). */
export function send(
  port: number,
  path: string,
  opts: { method?: string; headers?: Record<string, string>; body?: Buffer | AsyncIterable<Buffer>; count?: boolean } = {},
): Promise<ClientResponse> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: opts.method ?? 'GET', headers: opts.headers, agent: false }, (res) => {
      const chunks: Buffer[] = []
      let length = 0
      res.on('data', (c: Buffer) => {
        length += c.length
        if (!opts.count) chunks.push(c)
      })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), length }))
      res.on('error', reject)
    })
    req.on('error', reject)
    const body = opts.body
    if (body === undefined) req.end()
    else if (Buffer.isBuffer(body)) req.end(body)
    else
      void (async () => {
        for await (const chunk of body) {
          if (!req.write(chunk)) await new Promise((r) => req.once('drain', r))
        }
        req.end()
      })().catch(reject)
  })
}

/** Yields `total` bytes in 64 KB chunks of one reused buffer, so the source itself holds no memory. */
export async function* generate(total: number): AsyncGenerator<Buffer> {
  const chunk = Buffer.alloc(64 * 1024, 'y')
  for (let left = total; left > 0; left -= chunk.length) yield left >= chunk.length ? chunk : chunk.subarray(0, left)
}
