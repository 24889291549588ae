// One proxied request after routing: access phases (descending priority) → balancer → forward with undici →
// header/body filters → log. An Exchange is the request's only per-request object on the hot path: it is the
// forwarder's sink (headers, body chunks, outcome) through methods, so no closure or promise is made per request,
// and a route without plugins builds no RequestState.
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Readable } from 'node:stream'
import { randomUUID } from 'node:crypto'
import type { Exit } from '@postern/shared'
import { upstreamPath, type RouteMatch } from '../router/index.ts'
import type { ForwardResult, ForwardSink } from '../upstream/forward.ts'
import { KIND_RESPONSE } from '../upstream/errors.ts'
import type { UpstreamTarget } from '../upstream/pools.ts'
import type { Attempt } from '../balancer/balancer.ts'
import { hashInput } from '../balancer/hash-input.ts'
import type { PluginInstance, RoutePlan, RouteRow, RuntimeConfig } from '../runtime/runtime.ts'
import type { RequestState } from './context.ts'
import { escapePath, VIA } from './headers.ts'
import { SERVER, sendExit, sendKongError } from './respond.ts'
import { runLogPhase, type Outcome } from './log-phase.ts'
import { timedAccess } from './tracing.ts'
import { checkBuffer, watchStream } from './body-watch.ts'
import { forwardByProtocol } from '../protocols/index.ts'
import type { HandlerDeps } from './handler.ts'

type Headers = Record<string, string | string[]>
type HeaderFilter = (status: number, headers: Headers) => number
const NONE: PluginInstance[] = []

export class Exchange implements ForwardSink {
  /** Instances that took part in the request (their access phase ran, or an exit kept it from running). */
  ran: PluginInstance[] = NONE
  state: RequestState | null = null
  tProxy = 0
  hashCookie: string | undefined = undefined
  filters: HeaderFilter | undefined = undefined
  bodyFilters: PluginInstance[] | null = null
  upPath = ''
  writtenBefore = 0
  bodyFilter: ((chunk: Buffer, last: boolean) => Buffer) | undefined = undefined
  deferred = false

  constructor(
    readonly deps: HandlerDeps,
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    readonly requestId: string,
    readonly t0: number,
    readonly startedAt: number,
    readonly rt: RuntimeConfig,
    readonly plan: RoutePlan,
    readonly match: RouteMatch<RouteRow>,
    readonly method: string,
    readonly path: string,
    readonly rawQuery: string,
    /** The client's target had a `?` (an empty query is still sent as `?`). */
    readonly hasQuery: boolean,
    readonly clientIp: string,
    readonly headers: Headers,
  ) {}

  /** Runs the access phases (when the route has plugins), then forwards. */
  start(s: RequestState | null): void {
    if (s === null) return this.proceed()
    this.state = s
    this.ran = []
    let outcome: Exit | undefined | Promise<Exit | undefined>
    try {
      outcome = runAccess(this, 0)
    } catch (err) {
      return this.accessFailed(err)
    }
    if (outcome instanceof Promise) {
      outcome.then((exit) => this.accessDone(exit), (err) => this.accessFailed(err))
    } else this.accessDone(outcome)
  }

  accessDone(exit: Exit | undefined): void {
    if (!exit) return this.proceed()
    const s = this.state!
    const writtenBefore = this.req.socket.bytesWritten
    sendExit(this.req, this.res, exit, this.requestId, this.t0, this.headerFilter(true))
    this.deps.metrics?.exit(exit, s.route, s.service)
    collectRest(this)
    const total = performance.now() - this.t0
    this.logPhase({ status: exit.status, source: 'kong', total, upstream: 0, upstreamUri: '', writtenBefore, reason: exit.reason })
  }

  accessFailed(err: any): void {
    this.deps.services.log.error('plugin failed in access phase', { request_id: this.requestId, error: String(err?.stack ?? err) })
    sendKongError(this.req, this.res, 500, 'An unexpected error occurred', this.requestId, this.t0)
  }

  proceed(): void {
    const { req, res, requestId, plan, deps } = this
    const s = this.state
    const service = plan.service
    if (!service) return sendKongError(req, res, 503, 'no Service found with those values', requestId, this.t0)
    let target: UpstreamTarget = plan.target!
    let picker: Attempt | undefined
    if (plan.upstream !== null || plan.resolve) {
      // Kong's balancer: an upstream's targets, or the A records of the service host
      const bal = plan.upstream !== null ? deps.balancers.get(plan.upstream.id) : deps.balancers.forHost(service.host, service.port)
      if (bal?.pending) return void bal.ready!.then(() => this.proceed())
      let hash = bal?.hashes ? hashInput(bal.upstream, { req, consumerId: s?.consumer?.id ?? null, credentialId: (s?.credential as any)?.id ?? null, clientIp: this.clientIp, path: this.path, rawQuery: this.rawQuery, captures: this.match.captures }) : undefined
      if (hash === undefined && bal?.hashes && bal.upstream.hash_on === 'cookie') {
        // Kong: no hash cookie yet, so one is made up, hashed, and handed to the client
        hash = randomUUID()
        this.hashCookie = `${bal.upstream.hash_on_cookie}=${hash}; Path=${bal.upstream.hash_on_cookie_path ?? '/'}; Same-Site=Lax; HttpOnly`
      }
      picker = bal?.attempt(target, hash) ?? undefined
      if (picker === undefined) {
        if (plan.resolve) return sendKongError(req, res, 503, 'name resolution failed', requestId, this.t0)
        return sendKongError(req, res, 503, 'failure to get a peer from the ring-balancer', requestId, this.t0)
      }
      target = picker.target
    }
    this.tProxy = performance.now()
    let upPath = escapePath(s?.upstreamPath ?? upstreamPath(service.path, this.match, this.path))
    const q = s?.upstreamQuery ?? this.rawQuery
    if (q !== '' || (this.hasQuery && (s === null || s.upstreamQuery === null))) upPath += '?' + q
    this.upPath = upPath
    let body: IncomingMessage | Readable | Buffer | null = null
    const override = s === null ? null : (s.bodyOverride ?? s.body)
    if (override) {
      body = override
      this.headers['content-length'] = String(override.length)
      const exit = s!.bodyWatchers && checkBuffer(s!.bodyWatchers, override)
      if (exit) return sendExit(req, res, exit, requestId, this.t0, this.headerFilter(true))
    } else if (req.headers['content-length'] !== undefined ? req.headers['content-length'] !== '0' : req.headers['transfer-encoding'] !== undefined) {
      body = s?.bodyWatchers ? watchStream(req, s.bodyWatchers, (exit) => void (s.bodyExit = exit)) : req
    }
    if (this.ran.length > 0) {
      this.filters = this.headerFilter(false)
      if (this.ran.some(hasBodyFilter)) {
        this.bodyFilters = this.ran.filter(hasBodyFilter)
        this.bodyFilter = runBodyFilters
      }
    }
    // the log phase's byte count (bytesWritten walks the socket's write buffer: only when there is a log phase)
    if (this.ran.length > 0) this.writtenBefore = req.socket.bytesWritten
    if (s?.trace) s.trace.upstreamStart = performance.now()
    // WebSocket upgrades tunnel and gRPC services go over HTTP/2 (protocols/); the rest is forward()
    forwardByProtocol(deps.pools, target, service, { method: s?.upstreamMethod ?? this.method, path: upPath, headers: this.headers, body }, req, res, this, picker)
  }

  /** ForwardSink: the upstream's status and headers, before they are written. */
  onHeaders(status: number, h: Headers, upstreamLatency: number): number {
    h['x-kong-upstream-latency'] = String(Math.round(upstreamLatency))
    h['x-kong-proxy-latency'] = String(Math.round(this.tProxy - this.t0))
    h['x-kong-request-id'] = this.requestId
    const via = h.via
    h.via = via ? `${via}, ${VIA}` : VIA
    if (!h.server) h.server = SERVER
    if (this.hashCookie !== undefined) addCookie(h, this.hashCookie)
    return this.filters ? this.filters(status, h) : status
  }

  /** ForwardSink: the forwarder's outcome (every upstream outcome; `forwardFailed` when a hook threw). */
  forwarded(r: ForwardResult): void {
    // a body watcher's stop arrives inside undici's abort of the upload: answer once that has unwound, as the
    // promise-based forwarder did (answering from inside it let node close the socket under a client still sending)
    if (this.state?.bodyExit && !this.deferred) {
      this.deferred = true
      return void queueMicrotask(() => this.forwarded(r))
    }
    const s = this.state
    const { req, res, requestId } = this
    if (s !== null && s.bodyExit) {
      // a body watcher stopped the upload: its answer replaces the upstream's
      if (!res.headersSent) sendExit(req, res, s.bodyExit, requestId, this.t0, this.headerFilter(true))
      else res.destroy()
      return this.logPhase({ status: s.bodyExit.status, source: 'kong', total: performance.now() - this.t0, upstream: 0, upstreamUri: this.upPath, writtenBefore: this.writtenBefore, reason: s.bodyExit.reason })
    }
    if (!r.ok) {
      if (r.kind === 'aborted') return
      const spec = KIND_RESPONSE[r.kind]
      if (!r.headersSent) sendKongError(req, res, spec.status, spec.message, requestId, this.t0, 'nginx', {}, this.filters)
      else res.destroy()
    }
    if (this.ran.length === 0) return
    const status = r.ok ? r.status : KIND_RESPONSE[r.kind].status
    if (s!.trace) s!.trace.upstreamEnd = performance.now()
    this.logPhase({ status, source: r.ok ? 'service' : 'kong', total: performance.now() - this.t0, upstream: r.upstreamLatencyMs, upstreamUri: this.upPath, writtenBefore: this.writtenBefore })
  }

  forwardFailed(err: any): void {
    this.deps.services.log.error('forwarding failed', { request_id: this.requestId, error: String(err?.stack ?? err) })
    sendKongError(this.req, this.res, 500, 'An unexpected error occurred', this.requestId, this.t0)
  }

  headerFilter(fromGateway: boolean): HeaderFilter | undefined {
    if (!this.ran.some(hasHeaderFilter)) return undefined
    const filters = this.ran.filter(hasHeaderFilter)
    const s = this.state!
    return (status: number, h: Headers) => {
      const resp = { status, headers: h, fromGateway }
      for (const p of filters) p.def.handler.headerFilter!(s.contextFor(p.config, p.id), resp)
      return resp.status
    }
  }

  logPhase(o: Outcome): void {
    if (this.ran.length === 0) return
    runLogPhase(this.state!, this.ran, this.res, o, this.startedAt, (plugin, e) => this.deps.services.log.error('plugin failed in log phase', { plugin, error: String(e) }))
  }
}

const hasHeaderFilter = (p: PluginInstance) => p.def.handler.headerFilter !== undefined
const hasBodyFilter = (p: PluginInstance) => p.def.handler.bodyFilter !== undefined

/** The instances' body_filter phases, in order (set as the exchange's bodyFilter only when there are some). */
function runBodyFilters(this: Exchange, chunk: Buffer, last: boolean): Buffer {
  const s = this.state!
  for (const p of this.bodyFilters!) chunk = p.def.handler.bodyFilter!(s.contextFor(p.config, p.id), chunk, last)
  return chunk
}

/** Kong's balancer set_cookie: replaces a Set-Cookie of the same name, or adds one. */
function addCookie(h: Headers, cookie: string): void {
  const prefix = cookie.slice(0, cookie.indexOf('=') + 1)
  const cur = h['set-cookie']
  const list = cur === undefined ? [] : Array.isArray(cur) ? cur.filter((c) => !c.startsWith(prefix)) : cur.startsWith(prefix) ? [] : [cur]
  list.push(cookie)
  h['set-cookie'] = list
}

/** After an exit, the instances that did not get to run still belong to the request for its log phase (Kong collects them). */
function collectRest(x: Exchange): void {
  const s = x.state!
  const routeId = s.route?.id ?? null
  const serviceId = s.service?.id ?? null
  for (const entry of x.plan.chain) {
    if (!entry.def.handler.log) continue
    const inst = x.rt.resolveWithConsumer(entry, routeId, serviceId, s.consumer?.id ?? null)
    if (inst && !x.ran.includes(inst)) x.ran.push(inst)
  }
}

/**
 * Access phases in chain order; consumer-scoped instances apply once an earlier plugin set a consumer.
 * Synchronous plugins run without a promise; the loop only becomes async at the first plugin that awaits.
 */
function runAccess(x: Exchange, from: number): Exit | undefined | Promise<Exit | undefined> {
  const s = x.state!
  const chain = x.plan.chain
  const routeId = s.route?.id ?? null
  const serviceId = s.service?.id ?? null
  for (let i = from; i < chain.length; i++) {
    const inst = x.rt.resolveWithConsumer(chain[i], routeId, serviceId, s.consumer?.id ?? null)
    if (!inst) continue
    x.ran.push(inst)
    const access = inst.def.handler.access
    if (!access) continue
    const r = s.trace ? timedAccess(s.trace, inst.name, access, s.contextFor(inst.config, inst.id)) : access(s.contextFor(inst.config, inst.id))
    if (r && typeof (r as Promise<unknown>).then === 'function') {
      return (r as Promise<void | Exit>).then((v) => (v && v.exit ? v : runAccess(x, i + 1)))
    }
    if (r && (r as Exit).exit) return r as Exit
  }
  return undefined
}
