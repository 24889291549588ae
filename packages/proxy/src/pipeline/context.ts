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

  constructor(
    readonly req: IncomingMessage,
    readonly runtime: RuntimeConfig,
    readonly services: ProxyServices,
    readonly upstreamHeaders: Headers,
    readonly info: { method: string; scheme: 'http' | 'https'; host: string; port: number; path: string; rawQuery: string; clientIp: string },
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
  constructor(private s: RequestState, readonly config: unknown, readonly pluginId: string) {}

  get request() {
    const s = this.s
    return {
      method: s.info.method,
      scheme: s.info.scheme,
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
    }
  }

  get upstream() {
    const h = this.s.upstreamHeaders
    const s = this.s
    return {
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
    }
  }

  get client() {
    const s = this.s
    return {
      authenticate: (consumer: Consumer | null, credential: Credential | null) => {
        s.consumer = consumer
        s.credential = credential
      },
      getConsumer: () => s.consumer,
      getCredential: () => s.credential,
      loadConsumer: (idOrUsername: string) => s.runtime.loadConsumer(idOrUsername),
    }
  }

  get entities() {
    const rt = this.s.runtime
    return { find: (e: string, f: string, v: unknown) => rt.find(e, f, v), all: (e: string) => rt.all(e) }
  }

  get cache() {
    return this.s.services.cache
  }
  get store() {
    return this.s.services.store
  }
  get http() {
    return this.s.services.http
  }
  get log() {
    return this.s.services.log
  }
  get route() {
    return this.s.route
  }
  get service() {
    return this.s.service
  }
  get shared() {
    return this.s.shared
  }

  exit(status: number, body?: unknown, headers?: Record<string, string>, reason?: string): Exit {
    return { exit: true, status, body, headers, reason }
  }

  error(status: number, message: string, headers?: Record<string, string>, reason?: string): Exit {
    return { exit: true, status, body: { message }, headers, reason, template: true }
  }
}
