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

function buildFacades(s: RequestState): Facades {
  const h = s.upstreamHeaders
  const rt = s.runtime
  return {
    request: {
      method: s.info.method,
      scheme: s.info.scheme,
      tls: s.info.tls,
      trusted: s.info.trusted,
      host: s.info.host,
      port: s.info.port,
      path: s.info.path,
      rawQuery: s.info.rawQuery,
      clientIp: s.info.clientIp,
      headers: s.req.headers,
      getHeader: (name: string) => first(s.req.headers[name.toLowerCase()]),
      getQuery: () => s.getQuery(),
      getBody: () => s.readBody(),
      getParsedBody: () => s.parsedBody(),
    },
    upstream: {
      setHeader: (name: string, value: string) => {
        h[name.toLowerCase()] = value
      },
      clearHeader: (name: string) => {
        delete h[name.toLowerCase()]
      },
      getHeader: (name: string) => first(h[name.toLowerCase()]),
      setRawQuery: (q: string) => {
        s.upstreamQuery = q
      },
      setBody: (body: Buffer | string, contentType?: string) => {
        s.bodyOverride = Buffer.isBuffer(body) ? body : Buffer.from(body)
        if (contentType) h['content-type'] = contentType
      },
    },
    client: {
      authenticate: (consumer: Consumer | null, credential: Credential | null) => {
        s.consumer = consumer
        s.credential = credential
      },
      getConsumer: () => s.consumer,
      getCredential: () => s.credential,
      loadConsumer: (idOrUsername: string) => rt.loadConsumer(idOrUsername),
    },
    entities: { find: (e: string, f: string, v: unknown) => rt.find(e, f, v), all: (e: string) => rt.all(e) },
  }
}
