// The proxy request path: route → access phases (descending priority) → forward with undici →
// header/body filters → log. Gateway-made answers use Kong's bodies and headers.
import type { TLSSocket } from 'node:tls'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Readable } from 'node:stream'
import { randomUUID } from 'node:crypto'
import { normalizePath, type Exit } from '@postern/shared'
import { strippedPrefix, upstreamPath } from '../router/index.ts'
import type { ForwardHooks } from '../upstream/forward.ts'
import { KIND_RESPONSE } from '../upstream/errors.ts'
import { newRequestId } from '../upstream/kong-errors.ts'
import type { UpstreamPools, UpstreamTarget } from '../upstream/pools.ts'
import type { BalancerRegistry } from '../balancer/registry.ts'
import type { Attempt } from '../balancer/balancer.ts'
import { hashInput } from '../balancer/hash-input.ts'
import type { PluginInstance, RuntimeConfig } from '../runtime/runtime.ts'
import { RequestState, type ProxyServices } from './context.ts'
import { escapePath, upstreamHeaders, VIA } from './headers.ts'
import { SERVER, sendExit, sendKongError } from './respond.ts'
import { runLogPhase, type Outcome } from './log-phase.ts'
import { Trace, timedAccess } from './tracing.ts'
import type { ProxyMetrics } from '../status/metrics.ts'
import type { AccessLog } from '../status/access-log.ts'
import type { ClientAddress } from './real-ip.ts'
import { checkBuffer, watchStream } from './body-watch.ts'
import { aboveRoot, absoluteTarget, badPercent, checkRequest, validHost, type Rejection } from './request-check.ts'

const BAD_REQUEST: Rejection = { status: 400, message: 'Bad request', close: true }
const CLOSE = { connection: 'close' }
import { forwardByProtocol } from '../protocols/index.ts'
import { refuseGrpcMismatch } from '../protocols/grpc.ts'

export interface HandlerDeps {
  runtime(): RuntimeConfig
  pools: UpstreamPools
  balancers: BalancerRegistry
  services: ProxyServices
  address: ClientAddress
  metrics?: ProxyMetrics
  accessLog?: AccessLog
}

export interface ListenerInfo {
  port: number
  scheme: 'http' | 'https'
}

export function createProxyHandler(deps: HandlerDeps, listener: ListenerInfo) {
  return function handleRequest(req: IncomingMessage, res: ServerResponse): void {
    const t0 = performance.now()
    const startedAt = Date.now()
    deps.metrics?.countRequest()
    const requestId = newRequestId()
    if (deps.accessLog) deps.accessLog.track(req, res, requestId)
    const rt = deps.runtime()
    const method = req.method ?? 'GET'
    let url = req.url ?? '/'
    let hostHeader = req.headers.host ?? ''
    const bad = checkRequest(req, method, url)
    if (bad !== null) return reject(req, res, bad, requestId, t0)
    if (url.charCodeAt(0) !== 47 /* / */) {
      // Absolute-form (`GET http://host/p HTTP/1.1`): route, strip and forward only the path and query, and
      // take the host from the authority (RFC 9112 §3.2.2), so the request meets the same routes as origin-form.
      const abs = absoluteTarget(url)
      if (abs === null || !validHost(abs.authority)) return reject(req, res, BAD_REQUEST, requestId, t0)
      url = abs.target
      hostHeader = abs.authority
    }
    const qi = url.indexOf('?')
    const rawPath = qi < 0 ? url : url.slice(0, qi)
    const rawQuery = qi < 0 ? '' : url.slice(qi + 1)
    if (badPercent(rawPath) || aboveRoot(rawPath)) return reject(req, res, BAD_REQUEST, requestId, t0)
    const path = normalizePath(rawPath)
    // routes' `snis` are checked only on TLS connections; '' when the client sent none
    const sni = listener.scheme === 'https' ? (req.socket as TLSSocket).servername || '' : undefined
    const m = rt.router.match({ method, host: hostHeader, port: listener.port, path, headers: req.headers, sni })
    if (!m) return sendKongError(req, res, 404, 'no Route matched with those values', requestId, t0)
    const route = m.route
    const plan = rt.planFor(m.route)
    const service = plan.service
    const clientIp = req.socket.remoteAddress ?? ''
    const trusted = deps.address.trusted(clientIp)
    const forwardedIp = trusted ? deps.address.forwardedIp(clientIp, req.headers) : clientIp
    const xfp = trusted ? (req.headers['x-forwarded-proto'] as string | undefined) : undefined
    const scheme = xfp === 'https' || xfp === 'http' ? xfp : listener.scheme
    const protos: string[] = route.protocols
    if (scheme === 'http' && protos.includes('https') && !protos.includes('http')) {
      const code = route.https_redirect_status_code
      if (code === 426) return sendKongError(req, res, 426, 'Please use HTTPS protocol', requestId, t0, 'kong', { connection: 'Upgrade', upgrade: 'TLS/1.2, HTTP/1.1' })
      res.writeHead(code, { location: `https://${hostHeader.replace(/:\d+$/, '')}${url}`, 'content-length': '0', server: SERVER, 'x-kong-request-id': requestId })
      return void res.end()
    }
    if ((protos.includes('grpc') || protos.includes('grpcs')) && refuseGrpcMismatch(req, res, protos, scheme, requestId, t0)) return
    const upstreamHost = route.preserve_host ? hostHeader : plan.upstreamHost
    const headers = upstreamHeaders(req, {
      clientIp, forwardedIp, trusted, scheme, listenPort: listener.port, rawPath, prefix: strippedPrefix(m), hostHeader, upstreamHost, requestId,
    })
    const state = new RequestState(req, rt, deps.services, headers, { method, scheme, tls: listener.scheme === 'https', trusted, host: hostHeader.replace(/:\d+$/, ''), port: listener.port, path, rawQuery, clientIp, forwardedIp }, route, service, requestId)
    if (m.captures) state.captures = { whole: m.matchedPath, ...m.captures }
    const chain = plan.chain
    if (plan.traced) state.trace = new Trace(startedAt, t0, performance.now())
    if (chain.length === 0) return proceed(state, [], m, t0)
    const done = ({ ran, exit }: AccessOutcome) => {
      if (!exit) return proceed(state, ran, m, t0)
      const writtenBefore = req.socket.bytesWritten
      sendExit(req, res, exit, requestId, t0, headerFilter(state, ran, true))
      deps.metrics?.exit(exit, route, service)
      collectRest(state, chain, rt, ran)
      const total = performance.now() - t0
      logPhase(state, ran, { status: exit.status, source: 'kong', total, upstream: 0, upstreamUri: '', writtenBefore, reason: exit.reason })
    }
    const failed = (err: any) => {
      deps.services.log.error('plugin failed in access phase', { request_id: requestId, error: String(err?.stack ?? err) })
      sendKongError(req, res, 500, 'An unexpected error occurred', requestId, t0)
    }
    let outcome: AccessOutcome | Promise<AccessOutcome>
    try {
      outcome = runAccess(state, chain, rt)
    } catch (err) {
      return failed(err)
    }
    if (outcome instanceof Promise) outcome.then(done, failed)
    else done(outcome)

    function proceed(s: RequestState, ran: PluginInstance[], match: typeof m, start: number): void {
      if (!service) return sendKongError(req, res, 503, 'no Service found with those values', requestId, start)
      let target: UpstreamTarget = plan.target!
      let picker: Attempt | undefined
      let hashCookie: string | undefined
      if (plan.upstream !== null || plan.resolve) {
        // Kong's balancer: an upstream's targets, or the A records of the service host
        const bal = plan.upstream !== null ? deps.balancers.get(plan.upstream.id) : deps.balancers.forHost(service.host, service.port)
        if (bal?.pending) return void bal.ready!.then(() => proceed(s, ran, match, start))
        let hash = bal?.hashes ? hashInput(bal.upstream, { req, consumerId: s.consumer?.id ?? null, credentialId: (s.credential as any)?.id ?? null, clientIp, path, rawQuery, captures: match!.captures }) : undefined
        if (hash === undefined && bal?.hashes && bal.upstream.hash_on === 'cookie') {
          // Kong: no hash cookie yet, so one is made up, hashed, and handed to the client
          hash = randomUUID()
          hashCookie = `${bal.upstream.hash_on_cookie}=${hash}; Path=${bal.upstream.hash_on_cookie_path ?? '/'}; Same-Site=Lax; HttpOnly`
        }
        picker = bal?.attempt(target, hash) ?? undefined
        if (picker === undefined) {
          if (plan.resolve) return sendKongError(req, res, 503, 'name resolution failed', requestId, start)
          return sendKongError(req, res, 503, 'failure to get a peer from the ring-balancer', requestId, start)
        }
        target = picker.target
      }
      const tProxy = performance.now()
      let upPath = escapePath(s.upstreamPath ?? upstreamPath(service.path, match!, path))
      const q = s.upstreamQuery ?? rawQuery
      if (q !== '' || (qi >= 0 && s.upstreamQuery === null)) upPath += '?' + q
      let body: IncomingMessage | Readable | Buffer | null = null
      const override = s.bodyOverride ?? s.body
      if (override) {
        body = override
        headers['content-length'] = String(override.length)
        const exit = s.bodyWatchers && checkBuffer(s.bodyWatchers, override)
        if (exit) return sendExit(req, res, exit, requestId, start, headerFilter(s, ran, true))
      } else if (req.headers['content-length'] !== undefined ? req.headers['content-length'] !== '0' : req.headers['transfer-encoding'] !== undefined) {
        body = s.bodyWatchers ? watchStream(req, s.bodyWatchers, (exit) => void (s.bodyExit = exit)) : req
      }
      const filters = headerFilter(s, ran, false)
      const hooks: ForwardHooks = {
        onHeaders(status, h, upstreamLatency) {
          h['x-kong-upstream-latency'] = String(Math.round(upstreamLatency))
          h['x-kong-proxy-latency'] = String(Math.round(tProxy - start))
          h['x-kong-request-id'] = requestId
          h.via = h.via ? `${h.via}, ${VIA}` : VIA
          if (!h.server) h.server = SERVER
          if (hashCookie !== undefined) addCookie(h, hashCookie)
          return filters ? filters(status, h) : status
        },
      }
      const bodyFilters = ran.filter((p) => p.def.handler.bodyFilter)
      if (bodyFilters.length) {
        hooks.bodyFilter = (chunk, last) => {
          for (const p of bodyFilters) chunk = p.def.handler.bodyFilter!(s.contextFor(p.config, p.id), chunk, last)
          return chunk
        }
      }
      const writtenBefore = req.socket.bytesWritten
      if (s.trace) s.trace.upstreamStart = performance.now()
      // WebSocket upgrades tunnel and gRPC services go over HTTP/2 (protocols/); the rest is forward()
      forwardByProtocol(deps.pools, target, service, { method: s.upstreamMethod ?? method, path: upPath, headers, body }, req, res, hooks, picker).then(
        (r) => {
          if (s.bodyExit) {
            // a body watcher stopped the upload: its answer replaces the upstream's
            if (!res.headersSent) sendExit(req, res, s.bodyExit, requestId, start, headerFilter(s, ran, true))
            else res.destroy()
            return logPhase(s, ran, { status: s.bodyExit.status, source: 'kong', total: performance.now() - start, upstream: 0, upstreamUri: upPath, writtenBefore, reason: s.bodyExit.reason })
          }
          if (!r.ok) {
            if (r.kind === 'aborted') return
            const spec = KIND_RESPONSE[r.kind]
            if (!r.headersSent) sendKongError(req, res, spec.status, spec.message, requestId, start, 'nginx', {}, filters)
            else res.destroy()
          }
          const status = r.ok ? r.status : KIND_RESPONSE[r.kind].status
          if (s.trace) s.trace.upstreamEnd = performance.now()
          logPhase(s, ran, { status, source: r.ok ? 'service' : 'kong', total: performance.now() - start, upstream: r.upstreamLatencyMs, upstreamUri: upPath, writtenBefore })
        },
        (err) => {
          deps.services.log.error('forwarding failed', { request_id: requestId, error: String(err?.stack ?? err) })
          sendKongError(req, res, 500, 'An unexpected error occurred', requestId, start)
        },
      )
    }

    function headerFilter(s: RequestState, ran: PluginInstance[], fromGateway: boolean) {
      const filters = ran.filter((p) => p.def.handler.headerFilter)
      if (!filters.length) return undefined
      return (status: number, h: Record<string, string | string[]>) => {
        const resp = { status, headers: h, fromGateway }
        for (const p of filters) p.def.handler.headerFilter!(s.contextFor(p.config, p.id), resp)
        return resp.status
      }
    }

    function logPhase(s: RequestState, ran: PluginInstance[], o: Outcome) {
      runLogPhase(s, ran, res, o, startedAt, (plugin, e) => deps.services.log.error('plugin failed in log phase', { plugin, error: String(e) }))
    }
  }
}

/** nginx answers these itself, through Kong's error page (format from Accept, else Content-Type, else text). */
function reject(req: IncomingMessage, res: ServerResponse, r: Rejection, requestId: string, t0: number): void {
  sendKongError(req, res, r.status, r.message, requestId, t0, 'nginx', r.close ? CLOSE : undefined)
}

/** Kong's balancer set_cookie: replaces a Set-Cookie of the same name, or adds one. */
function addCookie(h: Record<string, string | string[]>, cookie: string): void {
  const prefix = cookie.slice(0, cookie.indexOf('=') + 1)
  const cur = h['set-cookie']
  const list = cur === undefined ? [] : Array.isArray(cur) ? cur.filter((c) => !c.startsWith(prefix)) : cur.startsWith(prefix) ? [] : [cur]
  list.push(cookie)
  h['set-cookie'] = list
}

type AccessOutcome = { ran: PluginInstance[]; exit?: Exit }

/** After an exit, the instances that did not get to run still belong to the request for its log phase (Kong collects them). */
function collectRest(s: RequestState, chain: ReturnType<RuntimeConfig['chainFor']>, rt: RuntimeConfig, ran: PluginInstance[]): void {
  const routeId = s.route?.id ?? null
  const serviceId = s.service?.id ?? null
  for (const entry of chain) {
    if (!entry.def.handler.log) continue
    const inst = rt.resolveWithConsumer(entry, routeId, serviceId, s.consumer?.id ?? null)
    if (inst && !ran.includes(inst)) ran.push(inst)
  }
}

/**
 * Access phases in chain order; consumer-scoped instances apply once an earlier plugin set a consumer.
 * Synchronous plugins run without a promise; the loop only becomes async at the first plugin that awaits.
 */
function runAccess(s: RequestState, chain: ReturnType<RuntimeConfig['chainFor']>, rt: RuntimeConfig, from = 0, ran: PluginInstance[] = []): AccessOutcome | Promise<AccessOutcome> {
  const routeId = s.route?.id ?? null
  const serviceId = s.service?.id ?? null
  for (let i = from; i < chain.length; i++) {
    const inst = rt.resolveWithConsumer(chain[i], routeId, serviceId, s.consumer?.id ?? null)
    if (!inst) continue
    ran.push(inst)
    const access = inst.def.handler.access
    if (!access) continue
    const r = s.trace ? timedAccess(s.trace, inst.name, access, s.contextFor(inst.config, inst.id)) : access(s.contextFor(inst.config, inst.id))
    if (r && typeof (r as Promise<unknown>).then === 'function') {
      return (r as Promise<void | Exit>).then((v) => (v && v.exit ? { ran, exit: v } : runAccess(s, chain, rt, i + 1, ran)))
    }
    if (r && (r as Exit).exit) return { ran, exit: r as Exit }
  }
  return { ran }
}
