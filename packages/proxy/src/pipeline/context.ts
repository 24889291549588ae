// The per-request state and the PluginContext handed to plugins (Kong's PDK surface): request,
// upstream changes, client identity, entity lookups, cache, store, http and log.
import type { IncomingMessage } from 'node:http'
import type { BodyChunkWatcher, Consumer, Credential, Entity, Exit, Logger, PdkCache, PdkHttp, PdkStore, PluginContext, Registry } from '@postern/shared'
import type { RuntimeConfig } from '../runtime/runtime.ts'
import { RequestLogger } from '@postern/shared/logger.ts'
import type { Trace } from './tracing.ts'
import { ClientFacade, EntitiesFacade, RequestFacade, UpstreamFacade } from './facades.ts'

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
  /** PDK facades, each built on first use and shared by the plugin contexts of this request. */
  requestFacade?: RequestFacade
  upstreamFacade?: UpstreamFacade
  clientFacade?: ClientFacade
  entitiesFacade?: EntitiesFacade
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

  /** A PluginContext for one plugin instance: one per instance per request, reused by its later phases. */
  contextFor(config: unknown, pluginId: string): PluginContext {
    const list = (this.contexts ??= [])
    for (let i = 0; i < list.length; i++) {
      const c = list[i]
      if (c.pluginId === pluginId && c.config === config) return c
    }
    const c = new PluginCtx(this, config, pluginId)
    list.push(c)
    return c
  }
  private contexts?: PluginCtx[]
}

// Reads go through prototype getters to the request's state, so making a context costs one small object.
class PluginCtx implements PluginContext {
  constructor(private readonly s: RequestState, readonly config: unknown, readonly pluginId: string) {}

  // each facade is built on its first use in the request and shared by every plugin context of it
  get request(): PluginContext['request'] {
    return (this.s.requestFacade ??= new RequestFacade(this.s))
  }
  get upstream(): PluginContext['upstream'] {
    return (this.s.upstreamFacade ??= new UpstreamFacade(this.s))
  }
  get client(): PluginContext['client'] {
    return (this.s.clientFacade ??= new ClientFacade(this.s))
  }
  get entities(): PluginContext['entities'] {
    return (this.s.entitiesFacade ??= new EntitiesFacade(this.s.runtime))
  }
  get cache(): PluginContext['cache'] {
    return this.s.services.cache
  }
  get store(): PluginContext['store'] {
    return this.s.services.store
  }
  get http(): PluginContext['http'] {
    return this.s.services.http
  }
  get metrics(): PluginContext['metrics'] {
    return this.s.services.metrics
  }
  get trace(): PluginContext['trace'] {
    return this.s.trace
  }
  get route(): Entity | null {
    return this.s.route
  }
  get service(): Entity | null {
    return this.s.service
  }
  get shared(): Record<string, unknown> {
    return this.s.shared
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
