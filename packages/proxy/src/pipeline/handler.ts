// The proxy request path up to routing: nginx's request checks, the router, Kong's protocol redirects and the
// upstream request headers; the Exchange (exchange.ts) takes it from there. Gateway-made answers use Kong's bodies.
import type { TLSSocket } from 'node:tls'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { normalizePath } from '@postern/shared'
import { strippedPrefix } from '../router/index.ts'
import { newRequestId } from '../upstream/kong-errors.ts'
import type { UpstreamPools } from '../upstream/pools.ts'
import type { BalancerRegistry } from '../balancer/registry.ts'
import type { RuntimeConfig } from '../runtime/runtime.ts'
import { RequestState, type ProxyServices } from './context.ts'
import { stripPortSuffix, upstreamHeaders } from './headers.ts'
import { SERVER, sendKongError } from './respond.ts'
import { Trace } from './tracing.ts'
import { Exchange } from './exchange.ts'
import type { ProxyMetrics } from '../status/metrics.ts'
import type { AccessLog } from '../status/access-log.ts'
import type { ClientAddress } from './real-ip.ts'
import { aboveRoot, absoluteTarget, badPercent, checkRequest, validHost, type Rejection } from './request-check.ts'
import { refuseGrpcMismatch } from '../protocols/grpc.ts'

const BAD_REQUEST: Rejection = { status: 400, message: 'Bad request', close: true }
const CLOSE = { connection: 'close' }

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
  const listenPort = String(listener.port) // X-Forwarded-Port
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
    const clientIp = peerAddress(req)
    const trusted = deps.address.trusted(clientIp)
    const forwardedIp = trusted ? deps.address.forwardedIp(clientIp, req.headers) : clientIp
    const xfp = trusted ? (req.headers['x-forwarded-proto'] as string | undefined) : undefined
    const scheme = xfp === 'https' || xfp === 'http' ? xfp : listener.scheme
    if (scheme === 'http' && plan.httpsOnly) {
      const code = route.https_redirect_status_code
      if (code === 426) return sendKongError(req, res, 426, 'Please use HTTPS protocol', requestId, t0, 'kong', { connection: 'Upgrade', upgrade: 'TLS/1.2, HTTP/1.1' })
      res.writeHead(code, { location: `https://${stripPortSuffix(hostHeader)}${url}`, 'content-length': '0', server: SERVER, 'x-kong-request-id': requestId })
      return void res.end()
    }
    if (plan.grpc && refuseGrpcMismatch(req, res, route.protocols, scheme, requestId, t0)) return
    const upstreamHost = route.preserve_host ? hostHeader : plan.upstreamHost
    const headers = upstreamHeaders(req, {
      clientIp, forwardedIp, trusted, scheme, listenPort, rawPath, prefix: strippedPrefix(m), hostHeader, upstreamHost, requestId,
    })
    const x = new Exchange(deps, req, res, requestId, t0, startedAt, rt, plan, m, method, path, rawQuery, qi >= 0, clientIp, headers)
    // a route without plugins needs no plugin state: the exchange forwards straight away
    if (plan.chain.length === 0) return x.start(null)
    const state = new RequestState(req, rt, deps.services, headers, { method, scheme, tls: listener.scheme === 'https', trusted, host: stripPortSuffix(hostHeader), port: listener.port, path, rawQuery, clientIp, forwardedIp }, route, plan.service, requestId)
    if (m.captures) state.captures = { whole: m.matchedPath, ...m.captures }
    if (plan.traced) state.trace = new Trace(startedAt, t0, performance.now())
    x.start(state)
  }
}

const kPeer = Symbol('postern.peer')

/**
 * The connecting peer's address, read once per HTTP/1 connection (node's remoteAddress getter goes through
 * _getpeername on every read). HTTP/2's req.socket is a proxy over the session's socket: read, not kept.
 */
function peerAddress(req: IncomingMessage): string {
  const sock = req.socket as IncomingMessage['socket'] & { [kPeer]?: string }
  let ip = sock[kPeer]
  if (ip === undefined) {
    ip = sock.remoteAddress ?? ''
    if (req.httpVersionMajor < 2 && ip !== '') sock[kPeer] = ip
  }
  return ip
}

/** nginx answers these itself, through Kong's error page (format from Accept, else Content-Type, else text). */
function reject(req: IncomingMessage, res: ServerResponse, r: Rejection, requestId: string, t0: number): void {
  sendKongError(req, res, r.status, r.message, requestId, t0, 'nginx', r.close ? CLOSE : undefined)
}
