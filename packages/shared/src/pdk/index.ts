// The plugin development kit: everything a plugin handler may touch. Mirrors Kong's PDK names
// (kong.request, kong.service.request, kong.client, kong.response) so Kong plugin authors feel at home.
import type { Entity } from '../entity.ts'
import type { Registry } from './metrics.ts'

/**
 * The request as the client sent it (after Kong's path normalization). Read-only. Like every PDK object,
 * call its methods on it (`ctx.request.getHeader(n)`); detached methods lose their request.
 */
export interface PdkRequest {
  /** HTTP method, upper case. */
  readonly method: string
  /** `http` or `https` as seen by the gateway (a trusted `X-Forwarded-Proto` counts). */
  readonly scheme: 'http' | 'https'
  /** True only when this connection itself is TLS (a proxy listener with `ssl`). */
  readonly tls: boolean
  /** True when the client address is in KONG_TRUSTED_IPS (its X-Forwarded-* headers are believed). */
  readonly trusted: boolean
  /** Host without port, from the `Host` header. */
  readonly host: string
  /** Port the request arrived on. */
  readonly port: number
  /** Normalized path without the query string. */
  readonly path: string
  /** Raw query string without `?` ('' when none). */
  readonly rawQuery: string
  /** The request target exactly as the client sent it, path and query, not normalized (Kong's get_path_with_query). */
  readonly requestUri: string
  /** HTTP version of the client's request: `1.1`, `1.0`, `2.0`. */
  readonly httpVersion: string
  /** The connecting peer's address (same as `ctx.client.getIp()`). */
  readonly clientIp: string
  /** Lower-cased request headers as node gives them. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>
  /** First value of a header (name is case-insensitive). */
  getHeader(name: string): string | undefined
  /** Every value of a header as the client sent it, even one node keeps only once (`user-agent`); [] when absent. */
  getHeaderValues(name: string): string[]
  /** Parsed query string (first value per name is `get`, all values are `getAll`). */
  getQuery(): URLSearchParams
  /** Reads (and keeps, for forwarding) the whole request body. */
  getBody(): Promise<Buffer>
  /**
   * Watch the request body as it is forwarded, without buffering it: `watcher` sees each chunk and the byte
   * count so far, and may return an Exit to stop the upload and answer with it (the upstream request is
   * aborted; the client connection is closed after the answer). A body already read or replaced by a plugin
   * is seen once, whole. Too late to answer once the upstream has replied: the connection is reset then.
   */
  onBodyChunk(watcher: BodyChunkWatcher): void
  /** Body parsed by content type: JSON object, form fields, or undefined. */
  getParsedBody(): Promise<Record<string, unknown> | undefined>
  /**
   * The matched route's regex captures as Kong's `router_matches.uri_captures`: `'0'` is the whole match,
   * `'1'`… the numbered groups, and named groups by name. Empty for a route matched without a regex.
   */
  getUriCaptures(): Readonly<Record<string, string>>
  /** The raw request line target (path and query as the client sent them). */
  readonly rawUri: string
  /** The connection this request arrived on (Kong's `server_addr`, `connection`, `connection_requests`). */
  connection(): { serverAddr: string; serial: number; requests: number }
}

/** See `PdkRequest.onBodyChunk`. */
export type BodyChunkWatcher = (chunk: Buffer, total: number) => Exit | void

/** Changes to the request that will be sent upstream (Kong's kong.service.request). */
export interface PdkUpstream {
  setHeader(name: string, value: string): void
  clearHeader(name: string): void
  getHeader(name: string): string | undefined
  /** Replace the query string sent upstream (without `?`). */
  setRawQuery(query: string): void
  /** Replace the body sent upstream. */
  setBody(body: Buffer | string, contentType?: string): void
  /** Add one more value of a header (Kong's kong.service.request.add_header). */
  addHeader(name: string, value: string): void
  /** The query string that will be sent upstream (without `?`). */
  getRawQuery(): string
  /** Replace the method sent upstream (Kong's kong.service.request.set_method). */
  setMethod(method: string): void
  /** Replace the whole upstream path, ignoring strip_path and the service path (kong.service.request.set_path). */
  setPath(path: string): void
}

/** A consumer as the proxy holds it. */
export interface Consumer {
  id: string
  username: string | null
  custom_id: string | null
  tags?: string[] | null
}

/** The credential that authenticated the request (any credential entity row). */
export interface Credential {
  id: string
  consumer?: { id: string } | null
  [k: string]: unknown
}

/** Kong's kong.client: who is calling. */
export interface PdkClient {
  /** Set the authenticated consumer and credential (either may be null), as kong.client.authenticate. */
  authenticate(consumer: Consumer | null, credential: Credential | null): void
  getConsumer(): Consumer | null
  getCredential(): Credential | null
  /** Find a consumer by id or username (Kong's anonymous lookup). */
  loadConsumer(idOrUsername: string): Consumer | null
  /** The address of the connecting peer, even behind a load balancer (kong.client.get_ip). */
  getIp(): string
  /**
   * The client address after real-IP processing (kong.client.get_forwarded_ip): taken from
   * KONG_REAL_IP_HEADER (default `X-Real-IP`) only when the peer is in KONG_TRUSTED_IPS, walking the list
   * right to left past trusted addresses when KONG_REAL_IP_RECURSIVE=on; otherwise the peer's address.
   */
  getForwardedIp(): string
}

/** Read access to the entities the proxy holds in memory (credentials, consumers). */
export interface PdkEntities {
  /** One row by a unique field, e.g. `find('keyauth_credentials', 'key', k)`. */
  find(entity: string, field: string, value: unknown): Entity | undefined
  /** All rows of one entity (do not mutate). */
  all(entity: string): readonly Entity[]
  /**
   * Every row whose field equals `value` (a foreign field matches on its id: `filter('acls', 'consumer', id)`),
   * indexed on first use. The same array is returned for the same configuration, so it may key a cache.
   */
  filter(entity: string, field: string, value: unknown): readonly Entity[]
}

/** A bounded TTL cache shared by the plugin instances of one proxy (never store raw secrets as keys). */
export interface PdkCache {
  get<T>(key: string): T | undefined
  set<T>(key: string, value: T, ttlSeconds: number): void
  delete(key: string): void
}

/** Options of a store write. */
export interface PdkStoreWriteOptions {
  /**
   * Row time-to-live in seconds (Kong's DAO `ttl` option), for entities that declare a `purge_at` field:
   * the row becomes invisible `ttl` seconds from now and is purged in the background. Omitted: never.
   */
  ttl?: number
}

/**
 * Runtime data that must be shared by every proxy (oauth2 tokens and codes): rows of entities declared with
 * `exportable: false`, written on the request path and visible to every proxy of the same store at once.
 *
 * `where` matches fields by equality (all of them); a foreign field takes `{ id }` and `null` matches a
 * missing value. Rows whose `purge_at` has passed are never returned, updated or deleted.
 */
export interface PdkStore {
  /** Validate and insert one row, filling the entity's defaults and auto fields (id, created_at, random keys). */
  insert(entity: string, row: Record<string, unknown>, opts?: PdkStoreWriteOptions): Promise<Entity>
  /** The first live row matching `where`, or undefined. */
  findOne(entity: string, where: Record<string, unknown>): Promise<Entity | undefined>
  /**
   * Set `patch` on the live rows matching `where`; resolves to how many changed. Matching on the value being
   * replaced gives compare-and-set: `update(e, { id, access_token: old }, { access_token: fresh })`.
   */
  update(entity: string, where: Record<string, unknown>, patch: Record<string, unknown>, opts?: PdkStoreWriteOptions): Promise<number>
  /** Delete one row by id. */
  delete(entity: string, id: string): Promise<void>
  /**
   * Delete the live rows matching `where`; resolves to how many were deleted. A result of 1 on
   * `{ id }` tells the caller that it, and no other proxy, consumed the row (single-use codes).
   */
  deleteWhere(entity: string, where: Record<string, unknown>): Promise<number>
  /**
   * Atomically add `by` to the integer `field` of the live row whose primary key is `key` (an entity declared
   * with `primaryKey`), creating it with `field = by` (and `opts.ttl`) when there is none; resolves to the
   * new value. The TTL is set on creation only, as Kong's ratelimiting_metrics upsert does. One statement
   * (`INSERT ... ON CONFLICT DO UPDATE ... RETURNING`), so every proxy of the store counts exactly.
   */
  incr(entity: string, key: Record<string, unknown>, field: string, by: number, opts?: PdkStoreWriteOptions): Promise<number>
}

export interface PdkLogger {
  debug(msg: string, extra?: Record<string, unknown>): void
  info(msg: string, extra?: Record<string, unknown>): void
  warn(msg: string, extra?: Record<string, unknown>): void
  error(msg: string, extra?: Record<string, unknown>): void
}

/** Outgoing HTTP client (undici), for introspection and JWKS calls. */
export interface PdkHttp {
  /**
   * One request. `timeoutMs` bounds the whole exchange (default 10 s); `maxBytes` aborts a larger response
   * body (rejects with code `POSTERN_HTTP_BODY_TOO_LARGE`); `verifyTls: false` skips certificate checks;
   * `ca` (PEM) replaces the system's trusted CAs for this request.
   */
  request(url: string, opts?: { method?: string; headers?: Record<string, string>; body?: string | Buffer; timeoutMs?: number; maxBytes?: number; verifyTls?: boolean; ca?: string }): Promise<{
    status: number
    headers: Record<string, string | string[] | undefined>
    body: Buffer
  }>
}

/** What a phase returns to stop the request and answer it. */
export interface Exit {
  readonly exit: true
  status: number
  body?: unknown
  headers?: Record<string, string | string[]>
  /** Machine-readable denial reason (`jwt.expired`), for logs and metrics. */
  reason?: string
  /** Render `body.message` with Kong's error template (set by `ctx.error`). */
  template?: boolean
}

/** The response seen by `headerFilter`: status and headers may be changed. */
export interface PdkResponse {
  status: number
  headers: Record<string, string | string[]>
  /** True when the gateway (a plugin or the router) produced this response. */
  readonly fromGateway: boolean
}

/** The context handed to every phase. */
export interface PluginContext<C = any> {
  /** The compiled config of this plugin instance (output of `compile`, or the validated config). */
  readonly config: C
  /** Id of the plugin instance (stable across rebuilds while the row is unchanged). */
  readonly pluginId: string
  readonly request: PdkRequest
  readonly upstream: PdkUpstream
  readonly client: PdkClient
  readonly entities: PdkEntities
  readonly cache: PdkCache
  readonly store: PdkStore
  readonly http: PdkHttp
  readonly log: PdkLogger
  /** The matched route and its service (null when none). */
  readonly route: Entity | null
  readonly service: Entity | null
  /** Timings of this request, recorded when a tracing plugin (opentelemetry) applies to its route; else null. */
  readonly trace: PdkTrace | null
  /** This proxy's Prometheus registry (`/metrics` on the status listener); keep series handles, not names. */
  readonly metrics: Registry
  /** Per-request scratch space shared between plugins (Kong's kong.ctx.shared). */
  readonly shared: Record<string, unknown>
  /** Answer the request now with this body (Kong's kong.response.exit): `return ctx.exit(401, { message: 'Unauthorized' })`. */
  exit(status: number, body?: unknown, headers?: Record<string, string | string[]>, reason?: string): Exit
  /**
   * Answer with Kong's error template (kong.response.error): `{"message":..,"request_id":..}` in JSON, or
   * text/html/xml following the request's `Accept` header.
   */
  error(status: number, message: string, headers?: Record<string, string>, reason?: string): Exit
}

export type PhaseResult = void | Exit | Promise<void | Exit>

export interface PluginHandler<C = any> {
  /** Runs once the route is known, in descending priority; may answer with `ctx.exit(...)`. */
  access?(ctx: PluginContext<C>): PhaseResult
  /** May change the status and headers of the response before they are sent. */
  headerFilter?(ctx: PluginContext<C>, res: PdkResponse): void
  /** May transform each body chunk (return the new chunk). */
  bodyFilter?(ctx: PluginContext<C>, chunk: Buffer, last: boolean): Buffer
  /** Runs after the response was sent (also after a plugin answered, for every plugin of the request). */
  log?(ctx: PluginContext<C>, summary: LogSummary): void
}

/** A request's timings for tracing plugins; times are `performance.now()` ms, `startedAt` is epoch ms. */
export interface PdkTrace {
  readonly startedAt: number
  readonly start: number
  /** When the route was matched. */
  readonly routed: number
  /** Access phases in the order they ran. */
  readonly phases: { name: string; start: number; end: number }[]
  /** The upstream exchange, when there was one (end: the response was complete). */
  upstreamStart?: number
  upstreamEnd?: number
  /** Set by the tracing plugin: the ids of this request's spans and the sampling decision. */
  ids?: { traceId: string; rootSpanId: string; upstreamSpanId: string; parentSpanId: string | null; sampled: boolean }
}

/** What the log phase knows about a finished request. */
export interface LogSummary {
  status: number
  /** ms: `proxy` is the gateway's own time (Kong's `kong`), `upstream` the upstream's, `total` the whole request. */
  latencies: { proxy: number; upstream: number; total: number }
  /** `service` when the upstream produced the response, `kong` when the gateway did (Kong's response source). */
  source: 'service' | 'kong'
  /** Bytes read from the client for this request and written back, headers included (nginx's counts). */
  requestSize: number
  responseSize: number
  /** The exit's denial reason (`jwt.expired`) when a plugin answered. */
  reason?: string
  /** Kong's basic log serializer (kong.log.serialize()): built on first call, the same object afterwards. */
  serialize(): KongLogEntry
  /** JSON.stringify(serialize()), built straight from the request (entities' JSON is cached per config). */
  serializedJson?(): string
}

/** Kong's log serializer output (the fields http-log, file-log, tcp-log and udp-log send). */
export interface KongLogEntry {
  request: { id: string; uri: string; url: string; querystring: Record<string, unknown>; method: string; headers: Record<string, unknown>; size: number; tls?: Record<string, unknown> }
  upstream_uri: string
  upstream_status?: string
  response: { status: number; headers: Record<string, unknown>; size: number }
  latencies: { kong: number; proxy: number; request: number; receive: number }
  tries: { ip: string; port: number; balancer_latency: number }[]
  client_ip: string
  started_at: number
  /** `upstream` when the upstream answered, `kong` otherwise (Kong's RESPONSE_SOURCE names). */
  source: 'upstream' | 'kong'
  route: Entity | null
  service: Entity | null
  consumer?: Entity | null
  authenticated_entity?: { id: string } | null
  workspace: string
  workspace_name: string
  [extra: string]: unknown
}

export const CONSUMER_HEADERS = [
  'x-consumer-id',
  'x-consumer-custom-id',
  'x-consumer-username',
  'x-credential-identifier',
  'x-anonymous-consumer',
] as const
