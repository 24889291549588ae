// The per-request state and the PluginContext handed to plugins (Kong's PDK surface): request,
// upstream changes, client identity, entity lookups, cache, store, http and log.
import type { IncomingMessage } from 'node:http'
import type { BodyChunkWatcher, Consumer, Credential, Entity, Exit, Logger, PdkCache, PdkHttp, PdkStore, PluginContext, Registry } from '@postern/shared'
import type { RuntimeConfig } from '../runtime/runtime.ts'
import { RequestLogger } from '@postern/shared/logger.ts'
import type { Trace } from './tracing.ts'

export interface ProxyServices {
  cache: PdkCache
  store: PdkStore
  http: PdkHttp
  log: Logger
  metrics: Registry
}

type Headers = Record<string, string | string[]>

/** One request's mutable state; plugin contexts are thin views over it (`Object.create`). */
export class RequestState {
  readonly shared: Record<string, unknown> = {}
  consumer: Consumer | null = null
  credential: Credential | null = null
  upstreamQuery: string | null = null
  body: Buffer | null = null
  bodyOverride: Buffer | null = null
  /** ctx.request.onBodyChunk watchers; null (the common case) costs nothing on the forwarding path. */
  bodyWatchers: BodyChunkWatcher[] | null = null
  /** The answer a body watcher gave mid-upload, sent instead of the upstream's. */
  bodyExit: Exit | null = null
  /** Method and path set by a plugin for the upstream request (null: the client's / the computed one). */
  upstreamMethod: string | null = null
  upstreamPath: string | null = null
  /** The route's regex captures (set by the handler once the route matched). */
  captures: { whole: string | null; unnamed: string[]; named: Record<string, string> } | null = null
  private uriCaptures?: Record<string, string>
  private query?: URLSearchParams
  private parsed?: Record<string, unknown>
  /** PDK facades, built on first use and shared by the plugin contexts of this request. */
  facades?: Facades
  /** Timings for tracing plugins (only on routes that have one). */
  trace: Trace | null = null
  requestLog?: RequestLogger

  constructor(
    readonly req: IncomingMessage,
    readonly runtime: RuntimeConfig,
    readonly services: ProxyServices,
    readonly upstreamHeaders: Headers,
    readonly info: { method: string; scheme: 'http' | 'https'; tls: boolean; trusted: boolean; host: string; port: number; path: string; rawQuery: string; clientIp: string; forwardedIp: string },
    readonly route: Entity | null,
    readonly service: Entity | null,
    readonly requestId: string,
  ) {}

  getQuery(): URLSearchParams {
    return (this.query ??= new URLSearchParams(this.info.rawQuery))
  }

  readBody(): Promise<Buffer> {
    if (this.body) return Promise.resolve(this.body)
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = []
      this.req.on('data', (c: Buffer) => chunks.push(c))
      this.req.on('end', () => resolve((this.body = Buffer.concat(chunks))))
      this.req.on('error', reject)
    })
  }

  async parsedBody(): Promise<Record<string, unknown> | undefined> {
    if (this.parsed) return this.parsed
    const type = String(this.req.headers['content-type'] ?? '')
    const body = await this.readBody()
    if (type.startsWith('application/json')) {
      try {
        const v = JSON.parse(body.toString('utf8'))
        if (v && typeof v === 'object' && !Array.isArray(v)) this.parsed = v
      } catch {
        /* not JSON: no parsed body */
      }
    } else if (type.startsWith('application/x-www-form-urlencoded')) {
      this.parsed = Object.fromEntries(new URLSearchParams(body.toString('utf8')))
    }
    return this.parsed
  }

  /** Kong's uri_captures: '0' the whole match, '1'… numbered groups, named groups by name. */
  getUriCaptures(): Record<string, string> {
    if (this.uriCaptures) return this.uriCaptures
    const out: Record<string, string> = {}
    const c = this.captures
    if (c) {
      if (c.whole !== null) out['0'] = c.whole
      c.unnamed.forEach((v, i) => (out[String(i + 1)] = v))
      Object.assign(out, c.named)
    }
    return (this.uriCaptures = out)
  }

  /** A PluginContext for one plugin instance. */
  contextFor(config: unknown, pluginId: string): PluginContext {
    return new PluginCtx(this, config, pluginId)
  }
}

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v
}

class PluginCtx implements PluginContext {
  readonly request: PluginContext['request']
  readonly upstream: PluginContext['upstream']
  readonly client: PluginContext['client']
  readonly entities: PluginContext['entities']
  readonly cache: PluginContext['cache']
  readonly store: PluginContext['store']
  readonly http: PluginContext['http']
  readonly metrics: PluginContext['metrics']
  readonly trace: PluginContext['trace']
  readonly route: Entity | null
  readonly service: Entity | null
  readonly shared: Record<string, unknown>

  constructor(private readonly s: RequestState, readonly config: unknown, readonly pluginId: string) {
    // the facades are built once per request and shared by every plugin context of it
    const f = (s.facades ??= buildFacades(s))
    this.request = f.request
    this.upstream = f.upstream
    this.client = f.client
    this.entities = f.entities
    this.cache = s.services.cache
    this.store = s.services.store
    this.http = s.services.http
    this.metrics = s.services.metrics
    this.trace = s.trace
    this.route = s.route
    this.service = s.service
    this.shared = s.shared
  }

  /** Built on first use: most requests never log. */
  get log(): PluginContext['log'] {
    return (this.s.requestLog ??= new RequestLogger(this.s.services.log, this.s.requestId))
  }

  exit(status: number, body?: unknown, headers?: Record<string, string | string[]>, reason?: string): Exit {
    return { exit: true, status, body, headers, reason }
  }

  error(status: number, message: string, headers?: Record<string, string>, reason?: string): Exit {
    return { exit: true, status, body: { message }, headers, reason, template: true }
  }
}

export interface Facades {
  request: PluginContext['request']
  upstream: PluginContext['upstream']
  client: PluginContext['client']
  entities: PluginContext['entities']
}

// The facades are small classes rather than objects of closures: one allocation each per request, and
// their methods live on the prototype. Plugins call them as methods (`ctx.request.getHeader(n)`).

class RequestFacade {
  readonly method: string
  readonly scheme: 'http' | 'https'
  readonly tls: boolean
  readonly trusted: boolean
  readonly host: string
  readonly port: number
  readonly path: string
  readonly rawQuery: string
  readonly clientIp: string
  readonly headers: RequestState['req']['headers']
  readonly requestUri: string
  readonly httpVersion: string
  constructor(private s: RequestState) {
    const i = s.info
    this.method = i.method
    this.scheme = i.scheme
    this.tls = i.tls
    this.trusted = i.trusted
    this.host = i.host
    this.port = i.port
    this.path = i.path
    this.rawQuery = i.rawQuery
    this.clientIp = i.clientIp
    this.headers = s.req.headers
    this.requestUri = s.req.url ?? '/'
    // Kong formats the version with one decimal (`HTTP/%.01f`): 1.1, 1.0, 2.0
    this.httpVersion = s.req.httpVersion.includes('.') ? s.req.httpVersion : `${s.req.httpVersion}.0`
  }
  getHeader(name: string) {
    return first(this.headers[name.toLowerCase()])
  }
  getHeaderValues(name: string) {
    // headersDistinct is computed by node on first access only, so requests that never ask pay nothing
    return this.s.req.headersDistinct[name.toLowerCase()] ?? []
  }
  getQuery() {
    return this.s.getQuery()
  }
  getBody() {
    return this.s.readBody()
  }
  getParsedBody() {
    return this.s.parsedBody()
  }
  onBodyChunk(watcher: BodyChunkWatcher) {
    ;(this.s.bodyWatchers ??= []).push(watcher)
  }
  getUriCaptures() {
    return this.s.getUriCaptures()
  }
  get rawUri() {
    return this.s.req.url ?? '/'
  }
  connection() {
    return connectionInfo(this.s.req)
  }
}

// Kong's $connection / $connection_requests: a serial per accepted socket and a request count on it,
// kept on the socket itself under a symbol so nothing outlives the connection.
const kConn = Symbol('postern.connection')
let connectionSerial = 0
function connectionInfo(req: IncomingMessage): { serverAddr: string; serial: number; requests: number } {
  const sock = req.socket as IncomingMessage['socket'] & { [kConn]?: { serial: number; requests: number; last: IncomingMessage | null } }
  const c = (sock[kConn] ??= { serial: ++connectionSerial, requests: 0, last: null })
  if (c.last !== req) {
    c.requests++
    c.last = req
  }
  return { serverAddr: sock.localAddress ?? '', serial: c.serial, requests: c.requests }
}

class UpstreamFacade {
  constructor(private s: RequestState) {}
  setHeader(name: string, value: string) {
    this.s.upstreamHeaders[name.toLowerCase()] = value
  }
  clearHeader(name: string) {
    const h = this.s.upstreamHeaders
    const k = name.toLowerCase()
    if (k in h) delete h[k]
  }
  getHeader(name: string) {
    return first(this.s.upstreamHeaders[name.toLowerCase()])
  }
  setRawQuery(q: string) {
    this.s.upstreamQuery = q
  }
  addHeader(name: string, value: string) {
    const h = this.s.upstreamHeaders
    const k = name.toLowerCase()
    const cur = h[k]
    h[k] = cur === undefined ? value : Array.isArray(cur) ? [...cur, value] : [cur, value]
  }
  getRawQuery() {
    return this.s.upstreamQuery ?? this.s.info.rawQuery
  }
  setMethod(method: string) {
    this.s.upstreamMethod = method.toUpperCase()
  }
  setPath(path: string) {
    this.s.upstreamPath = path
  }
  setBody(body: Buffer | string, contentType?: string) {
    this.s.bodyOverride = Buffer.isBuffer(body) ? body : Buffer.from(body)
    if (contentType) this.s.upstreamHeaders['content-type'] = contentType
  }
}

class ClientFacade {
  constructor(private s: RequestState) {}
  authenticate(consumer: Consumer | null, credential: Credential | null) {
    this.s.consumer = consumer
    this.s.credential = credential
  }
  getConsumer() {
    return this.s.consumer
  }
  getCredential() {
    return this.s.credential
  }
  loadConsumer(idOrUsername: string) {
    return this.s.runtime.loadConsumer(idOrUsername)
  }
  getIp() {
    return this.s.info.clientIp
  }
  getForwardedIp() {
    return this.s.info.forwardedIp
  }
}

class EntitiesFacade {
  constructor(private rt: RuntimeConfig) {}
  find(entity: string, field: string, value: unknown) {
    return this.rt.find(entity, field, value)
  }
  all(entity: string) {
    return this.rt.all(entity)
  }
  filter(entity: string, field: string, value: unknown) {
    return this.rt.filter(entity, field, value)
  }
}

function buildFacades(s: RequestState): Facades {
  return { request: new RequestFacade(s), upstream: new UpstreamFacade(s), client: new ClientFacade(s), entities: new EntitiesFacade(s.runtime) }
}
