// The proxy request path: route → access phases (descending priority) → forward with undici →
// header/body filters → log. Gateway-made answers use Kong's bodies and headers.
import type { TLSSocket } from 'node:tls'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { normalizePath, type Exit } from '@postern/shared'
import { strippedPrefix, upstreamPath } from '../router/index.ts'
import type { ForwardHooks } from '../upstream/forward.ts'
import { KIND_RESPONSE } from '../upstream/errors.ts'
import { newRequestId } from '../upstream/kong-errors.ts'
import type { UpstreamPools } from '../upstream/pools.ts'
import type { PluginInstance, RuntimeConfig } from '../runtime/runtime.ts'
import { RequestState, type ProxyServices } from './context.ts'
import { escapePath, upstreamHeaders, VIA } from './headers.ts'
import { SERVER, sendExit, sendKongError } from './respond.ts'
import { forwardByProtocol } from '../protocols/index.ts'
import { refuseGrpcMismatch } from '../protocols/grpc.ts'

export interface HandlerDeps {
  runtime(): RuntimeConfig
  pools: UpstreamPools
  services: ProxyServices
  trusted(ip: string): boolean
}

export interface ListenerInfo {
  port: number
  scheme: 'http' | 'https'
}

export function createProxyHandler(deps: HandlerDeps, listener: ListenerInfo) {
  return function handleRequest(req: IncomingMessage, res: ServerResponse): void {
    const t0 = performance.now()
    const requestId = newRequestId()
    const rt = deps.runtime()
    const url = req.url ?? '/'
    const qi = url.indexOf('?')
    const rawPath = qi < 0 ? url : url.slice(0, qi)
    const rawQuery = qi < 0 ? '' : url.slice(qi + 1)
    const path = normalizePath(rawPath)
    const hostHeader = req.headers.host ?? ''
    const method = req.method ?? 'GET'
    // routes' `snis` are checked only on TLS connections; '' when the client sent none
    const sni = listener.scheme === 'https' ? (req.socket as TLSSocket).servername || '' : undefined
    const m = rt.router.match({ method, host: hostHeader, port: listener.port, path, headers: req.headers, sni })
    if (!m) return sendKongError(req, res, 404, 'no Route matched with those values', requestId, t0)
    const route = m.route.raw
    const plan = rt.planFor(m.route)
    const service = plan.service
    const clientIp = req.socket.remoteAddress ?? ''
    const trusted = deps.trusted(clientIp)
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
      clientIp, trusted, scheme, listenPort: listener.port, rawPath, prefix: strippedPrefix(m), hostHeader, upstreamHost, requestId,
    })
    const state = new RequestState(req, rt, deps.services, headers, { method, scheme, tls: listener.scheme === 'https', trusted, host: hostHeader.replace(/:\d+$/, ''), port: listener.port, path, rawQuery, clientIp }, route, service, requestId)
    const chain = plan.chain
    if (chain.length === 0) return proceed(state, [], m, t0)
    const done = ({ ran, exit }: AccessOutcome) => {
      if (exit) return sendExit(req, res, exit, requestId, t0, headerFilter(state, ran, true))
      proceed(state, ran, m, t0)
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
      const tProxy = performance.now()
      let upPath = escapePath(upstreamPath(service.path, match!, path))
      const q = s.upstreamQuery ?? rawQuery
      if (q !== '' || (qi >= 0 && s.upstreamQuery === null)) upPath += '?' + q
      let body: IncomingMessage | Buffer | null = null
      const override = s.bodyOverride ?? s.body
      if (override) {
        body = override
        headers['content-length'] = String(override.length)
      } else if (req.headers['content-length'] !== undefined ? req.headers['content-length'] !== '0' : req.headers['transfer-encoding'] !== undefined) {
        body = req
      }
      const filters = headerFilter(s, ran, false)
      const hooks: ForwardHooks = {
        onHeaders(status, h, upstreamLatency) {
          h['x-kong-upstream-latency'] = String(Math.round(upstreamLatency))
          h['x-kong-proxy-latency'] = String(Math.round(tProxy - start))
          h['x-kong-request-id'] = requestId
          h.via = h.via ? `${h.via}, ${VIA}` : VIA
          if (!h.server) h.server = SERVER
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
      // WebSocket upgrades tunnel and gRPC services go over HTTP/2 (protocols/); the rest is forward()
      forwardByProtocol(deps.pools, plan.target!, service, { method, path: upPath, headers, body }, req, res, hooks).then(
        (r) => {
          if (!r.ok) {
            if (r.kind === 'aborted') return
            const spec = KIND_RESPONSE[r.kind]
            if (!r.headersSent) sendKongError(req, res, spec.status, spec.message, requestId, start, 'nginx')
            else res.destroy()
          }
          runLog(s, ran, r.ok ? r.status : KIND_RESPONSE[r.kind].status, start, r.upstreamLatencyMs)
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

    function runLog(s: RequestState, ran: PluginInstance[], status: number, start: number, upstream: number) {
      for (const p of ran) {
        if (!p.def.handler.log) continue
        const total = performance.now() - start
        try {
          p.def.handler.log(s.contextFor(p.config, p.id), { status, latencies: { proxy: total - upstream, upstream, total } })
        } catch (e) {
          deps.services.log.error('plugin failed in log phase', { plugin: p.name, error: String(e) })
        }
      }
    }
  }
}

type AccessOutcome = { ran: PluginInstance[]; exit?: Exit }

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
    const r = access(s.contextFor(inst.config, inst.id))
    if (r && typeof (r as Promise<unknown>).then === 'function') {
      return (r as Promise<void | Exit>).then((v) => (v && v.exit ? { ran, exit: v } : runAccess(s, chain, rt, i + 1, ran)))
    }
    if (r && (r as Exit).exit) return { ran, exit: r as Exit }
  }
  return { ran }
}
