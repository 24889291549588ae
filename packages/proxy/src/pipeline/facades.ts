// The PDK facades a plugin context hands out (ctx.request, ctx.upstream, ctx.client, ctx.entities): small
// classes over the request's state, built once per request and shared by its plugin contexts.
import type { IncomingMessage } from 'node:http'
import type { BodyChunkWatcher, Consumer, Credential, PluginContext } from '@postern/shared'
import type { RuntimeConfig } from '../runtime/runtime.ts'
import type { RequestState } from './context.ts'
import { lowerCased } from './headers.ts'

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v
}

// The facades are small classes rather than objects of closures: one allocation each per request, and
// their methods live on the prototype. Plugins call them as methods (`ctx.request.getHeader(n)`).

export class RequestFacade {
  constructor(private s: RequestState) {}
  get method(): string {
    return this.s.info.method
  }
  get scheme(): 'http' | 'https' {
    return this.s.info.scheme
  }
  get tls(): boolean {
    return this.s.info.tls
  }
  get trusted(): boolean {
    return this.s.info.trusted
  }
  get host(): string {
    return this.s.info.host
  }
  get port(): number {
    return this.s.info.port
  }
  get path(): string {
    return this.s.info.path
  }
  get rawQuery(): string {
    return this.s.info.rawQuery
  }
  get clientIp(): string {
    return this.s.info.clientIp
  }
  get headers(): RequestState['req']['headers'] {
    return this.s.req.headers
  }
  get requestUri(): string {
    return this.s.req.url ?? '/'
  }
  get httpVersion(): string {
    // Kong formats the version with one decimal (`HTTP/%.01f`): 1.1, 1.0, 2.0
    const v = this.s.req.httpVersion
    return v.includes('.') ? v : `${v}.0`
  }
  getHeader(name: string) {
    return first(this.headers[lowerCased(name)])
  }
  getHeaderValues(name: string) {
    // headersDistinct is computed by node on first access only, so requests that never ask pay nothing
    return this.s.req.headersDistinct[lowerCased(name)] ?? []
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

export class UpstreamFacade {
  constructor(private s: RequestState) {}
  setHeader(name: string, value: string) {
    this.s.upstreamHeaders[lowerCased(name)] = value
  }
  clearHeader(name: string) {
    const h = this.s.upstreamHeaders
    const k = lowerCased(name)
    if (k in h) delete h[k]
  }
  getHeader(name: string) {
    return first(this.s.upstreamHeaders[lowerCased(name)])
  }
  setRawQuery(q: string) {
    this.s.upstreamQuery = q
  }
  addHeader(name: string, value: string) {
    const h = this.s.upstreamHeaders
    const k = lowerCased(name)
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

export class ClientFacade {
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

export class EntitiesFacade {
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
