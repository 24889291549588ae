// A PluginContext for the token plugins' unit tests: scripted ctx.http answers, a real TTL cache, and the
// upstream headers and exits recorded, so handlers run without a proxy.
import { Registry } from '../../pdk/metrics.ts'
import type { BodyChunkWatcher, Consumer, Credential, Exit, PdkHttp, PluginContext } from '../../pdk/index.ts'

type HttpCall = { url: string; method?: string; headers?: Record<string, string>; body?: string | Buffer; timeoutMs?: number }
type HttpReply = { status: number; headers?: Record<string, string>; body?: string } | Error

export interface TestWorld {
  cache: Map<string, { v: unknown; exp: number }>
  calls: HttpCall[]
  /** Answers the next IdP calls in order (the last one repeats). */
  replies: HttpReply[]
  consumers: Consumer[]
  now: () => number
  /** Watchers registered with ctx.request.onBodyChunk. */
  bodyWatchers?: BodyChunkWatcher[]
}

export function createWorld(replies: HttpReply[] = []): TestWorld {
  return { cache: new Map(), calls: [], replies, consumers: [], now: () => Date.now() }
}

export interface TestRequest {
  method?: string
  headers?: Record<string, string | string[]>
  query?: string
  body?: string
  path?: string
  /** Client address (both the peer and the forwarded one); default 127.0.0.1. */
  ip?: string
}

export type TestContext = PluginContext & { upstreamHeaders: Record<string, string>; consumer: Consumer | null; credential: Credential | null }

export function createTestContext<C>(world: TestWorld, config: C, req: TestRequest = {}, pluginId = 'plugin-1'): TestContext {
  const headers: Record<string, string> = {}
  const all: Record<string, string[]> = {}
  for (const [k, v] of Object.entries(req.headers ?? {})) {
    headers[k.toLowerCase()] = Array.isArray(v) ? v[0] : v
    all[k.toLowerCase()] = Array.isArray(v) ? v : [v]
  }
  const upstreamHeaders: Record<string, string> = { ...headers }
  const http: PdkHttp = {
    async request(url, opts = {}) {
      world.calls.push({ url, ...opts })
      const reply = world.replies.length > 1 ? world.replies.shift()! : world.replies[0]
      if (!reply) throw new Error('no scripted reply')
      if (reply instanceof Error) throw reply
      return { status: reply.status, headers: reply.headers ?? {}, body: Buffer.from(reply.body ?? '') }
    },
  }
  const ctx: TestContext = {
    config: config as any,
    pluginId,
    upstreamHeaders,
    consumer: null,
    credential: null,
    metrics: new Registry(),
    trace: null,
    request: {
      method: req.method ?? 'GET', scheme: 'http', tls: false, trusted: false, host: 'localhost', port: 8000, path: req.path ?? '/', rawQuery: req.query ?? '', clientIp: req.ip ?? '127.0.0.1',
      requestUri: (req.path ?? '/') + (req.query ? `?${req.query}` : ''),
      headers,
      getHeader: (n) => headers[n.toLowerCase()],
      getHeaderValues: (n) => all[n.toLowerCase()] ?? [],
      getQuery: () => new URLSearchParams(req.query ?? ''),
      getBody: async () => Buffer.from(req.body ?? ''),
      getParsedBody: async () => undefined,
      onBodyChunk: (w) => void (world.bodyWatchers ??= []).push(w),
      getUriCaptures: () => ({}),
      rawUri: '/',
      httpVersion: '1.1',
      connection: () => ({ serverAddr: '127.0.0.1', serial: 1, requests: 1 }),
    },
    upstream: {
      setHeader: (n, v) => void (upstreamHeaders[n.toLowerCase()] = v),
      clearHeader: (n) => void delete upstreamHeaders[n.toLowerCase()],
      getHeader: (n) => upstreamHeaders[n.toLowerCase()],
      setRawQuery: () => {},
      addHeader: () => {},
      getRawQuery: () => '',
      setMethod: () => {},
      setPath: () => {},
      setBody: () => {},
    },
    client: {
      authenticate: (c, cr) => {
        ctx.consumer = c
        ctx.credential = cr
      },
      getConsumer: () => ctx.consumer,
      getCredential: () => ctx.credential,
      loadConsumer: (k) => world.consumers.find((c) => c.id === k || c.username === k) ?? null,
      getIp: () => req.ip ?? '127.0.0.1',
      getForwardedIp: () => req.ip ?? '127.0.0.1',
    },
    entities: {
      find: (_e, f, v) => world.consumers.find((c) => (c as any)[f] === v) as any,
      all: () => world.consumers as any,
      filter: () => [],
    },
    cache: {
      get: (k) => {
        const e = world.cache.get(k)
        return e && e.exp > world.now() ? (e.v as any) : undefined
      },
      set: (k, v, ttl) => void world.cache.set(k, { v, exp: world.now() + ttl * 1000 }),
      delete: (k) => void world.cache.delete(k),
    },
    store: {} as PluginContext["store"], // the token plugins keep no runtime data
    http,
    log: { debug() {}, info() {}, warn() {}, error() {} },
    route: null,
    service: null,
    shared: {},
    exit: (status, body, hdrs, reason): Exit => ({ exit: true, status, body, headers: hdrs, reason }),
    error: (status, message, hdrs, reason): Exit => ({ exit: true, status, body: { message }, headers: hdrs, reason, template: true }),
  }
  return ctx
}
