// The per-request state and the PluginContext handed to plugins (Kong's PDK surface): request,
// upstream changes, client identity, entity lookups, cache, store, http and log.
import type { IncomingMessage } from 'node:http'
import type { Consumer, Credential, Entity, Exit, Logger, PdkCache, PdkHttp, PdkStore, PluginContext } from '@postern/shared'
import type { RuntimeConfig } from '../runtime/runtime.ts'

export interface ProxyServices {
  cache: PdkCache
  store: PdkStore
  http: PdkHttp
  log: Logger
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
  private query?: URLSearchParams
  private parsed?: Record<string, unknown>
  /** PDK facades, built on first use and shared by the plugin contexts of this request. */
  facades?: Facades

  constructor(
    readonly req: IncomingMessage,
    readonly runtime: RuntimeConfig,
    readonly services: ProxyServices,
    readonly upstreamHeaders: Headers,
    readonly info: { method: string; scheme: 'http' | 'https'; tls: boolean; trusted: boolean; host: string; port: number; path: string; rawQuery: string; clientIp: string },
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
  readonly log: PluginContext['log']
  readonly route: Entity | null
  readonly service: Entity | null
  readonly shared: Record<string, unknown>

  constructor(s: RequestState, readonly config: unknown, readonly pluginId: string) {
    // the facades are built once per request and shared by every plugin context of it
    const f = (s.facades ??= buildFacades(s))
    this.request = f.request
    this.upstream = f.upstream
    this.client = f.client
    this.entities = f.entities
    this.cache = s.services.cache
    this.store = s.services.store
    this.http = s.services.http
    this.log = s.services.log
    this.route = s.route
    this.service = s.service
    this.shared = s.shared
  }

  exit(status: number, body?: unknown, headers?: Record<string, string>, reason?: string): Exit {
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
  getQuery() {
    return this.s.getQuery()
  }
  getBody() {
    return this.s.readBody()
  }
  getParsedBody() {
    return this.s.parsedBody()
  }
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
