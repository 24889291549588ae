// gRPC: services with protocol grpc (h2c) or grpcs (TLS) are reached over HTTP/2 with bodies streamed both
// ways and trailers (grpc-status, grpc-message) carried through; gateway-made answers to gRPC requests
// become trailers-only gRPC errors with Kong's HTTP → gRPC status mapping (kong/pdk/response.lua).
import type { ClientHttp2Session, Http2ServerResponse, OutgoingHttpHeaders } from 'node:http2'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { performance } from 'node:perf_hooks'
import type { Entity } from '@postern/shared'
import { sendExit, sendKongError } from '../pipeline/respond.ts'
import { classifyUpstreamError } from '../upstream/errors.ts'
import type { ForwardHooks, ForwardRequest, ForwardResult } from '../upstream/forward.ts'
import type { UpstreamTarget } from '../upstream/pools.ts'
import { http2 } from './node-http2.ts'

const HTTP_TO_GRPC: Record<number, number> = { 200: 0, 400: 3, 401: 16, 403: 7, 404: 5, 409: 6, 429: 8, 499: 1, 500: 13, 501: 12, 503: 14, 504: 4 }
const GRPC_MESSAGES = ['OK', 'Canceled', 'Unknown', 'InvalidArgument', 'DeadlineExceeded', 'NotFound', 'AlreadyExists', 'PermissionDenied', 'ResourceExhausted', 'FailedPrecondition', 'Aborted', 'OutOfRange', 'Unimplemented', 'Internal', 'Unavailable', 'DataLoss', 'Unauthenticated']
// Never sent on an HTTP/2 stream (RFC 9113 §8.2.2)
const CONNECTION_SPECIFIC = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'host'])

/** Kong's is_grpc_request: an HTTP/2 request whose content-type starts with application/grpc. */
export function isGrpcRequest(h: Record<string, string | string[] | undefined>): boolean {
  const ct = h['content-type']
  return typeof ct === 'string' && ct.startsWith('application/grpc')
}

export function isGrpcService(service: Entity | null): boolean {
  return service !== null && (service.protocol === 'grpc' || service.protocol === 'grpcs')
}

/** Kong's fallbacks for statuses outside its table: 5xx → Internal, 4xx → InvalidArgument, 2xx → OK. */
export function grpcStatusFor(status: number): number {
  const s = HTTP_TO_GRPC[status]
  if (s !== undefined) return s
  if (status >= 500 && status <= 599) return 13
  if (status >= 400 && status <= 499) return 3
  if (status >= 200 && status <= 299) return 0
  return 2
}

/**
 * Turns every gateway-made answer on this response (router 404, plugin exits, upstream 502/504) into a
 * trailers-only gRPC response: HTTP 200 so gRPC clients read `grpc-status` (Kong keeps the HTTP status,
 * which gRPC clients map on their own and lose the code). The relay below writes to the stream directly,
 * so it never passes through here. `grpc-message`: a plugin exit's `message`, an upstream error's text
 * (Kong's error handler), otherwise the status name (kong.response.error sends no body for gRPC).
 */
export function mapGatewayErrorsToGrpc(res: Http2ServerResponse): void {
  let status = 200
  let headers: Record<string, unknown> = {}
  const r = res as unknown as { writeHead: Function; end: Function }
  r.writeHead = (s: number, h?: Record<string, unknown>) => {
    status = s
    headers = h ?? {}
    return res
  }
  r.end = (body?: string | Buffer) => {
    // an answer that names its gRPC status itself keeps it (Kong: only when grpc-status is not set)
    const own = headers['grpc-status']
    const code = own !== undefined ? Number(own) : grpcStatusFor(status)
    let message = (headers['grpc-message'] as string | undefined) ?? GRPC_MESSAGES[code] ?? 'Unknown'
    if (body !== undefined && body.length > 0) {
      const text = body.toString()
      try {
        const v = JSON.parse(text)
        if (v && typeof v.message === 'string' && (!('request_id' in v) || status === 502 || status === 504)) message = v.message
      } catch {
        if (!String(headers['content-type'] ?? '').includes('html')) message = text
      }
    }
    const out: OutgoingHttpHeaders = { ':status': 200 }
    for (const [k, v] of Object.entries(headers)) if (!CONNECTION_SPECIFIC.has(k) && k !== 'content-length' && k !== 'content-type') out[k] = v as string
    out['content-type'] = 'application/grpc'
    out['grpc-status'] = String(code)
    out['grpc-message'] = own !== undefined && headers['grpc-message'] !== undefined ? message : encodeURIComponent(message)
    if (!res.stream.destroyed && !res.stream.headersSent) res.stream.respond(out, { endStream: true })
    return res
  }
}

/**
 * Kong's checks when a grpc/grpcs route matched (runloop/handler.lua): a non-gRPC request gets 415, a gRPC
 * request not on HTTP/2 gets 426, a gRPC request without TLS on a grpcs-only route gets gRPC status 1.
 * Returns true when it answered.
 */
export function refuseGrpcMismatch(req: IncomingMessage, res: ServerResponse, protos: string[], scheme: 'http' | 'https', requestId: string, t0: number): boolean {
  if (!isGrpcRequest(req.headers)) {
    sendKongError(req, res, 415, 'Non-gRPC request matched gRPC route', requestId, t0)
    return true
  }
  if (req.httpVersionMajor !== 2) {
    sendKongError(req, res, 426, 'Please use HTTP2 protocol', requestId, t0, 'kong', { connection: 'Upgrade', upgrade: 'HTTP/2' })
    return true
  }
  if (!protos.includes('grpc') && scheme !== 'https') {
    const headers = { 'content-type': 'application/grpc', 'grpc-status': '1', 'grpc-message': 'gRPC request matched gRPCs route' }
    sendExit(req, res, { exit: true, status: 200, headers }, requestId, t0)
    return true
  }
  return false
}

const sessions = new Map<string, ClientHttp2Session>()

function session(target: UpstreamTarget, secure: boolean): ClientHttp2Session {
  const key = `${secure ? 'https' : 'http'}://${target.host}:${target.port}|${target.tlsVerify === true ? 1 : 0}`
  let s = sessions.get(key)
  if (s && !s.closed && !s.destroyed) return s
  const host = target.host.includes(':') ? `[${target.host}]` : target.host
  s = http2().connect(`${key.split('|')[0].replace(target.host, host)}`, secure ? { rejectUnauthorized: target.tlsVerify === true, ca: target.tls?.ca, cert: target.tls?.cert, key: target.tls?.key } : {})
  const drop = () => sessions.get(key) === s && sessions.delete(key)
  s.on('close', drop)
  s.on('goaway', drop)
  s.on('error', drop)
  s.unref() // idle sessions never keep the process alive
  sessions.set(key, s)
  return s
}

/** Proxies one gRPC call over HTTP/2 to the service; the client must be on HTTP/2 (trailers need it). */
export function grpcForward(service: Entity, target: UpstreamTarget, fr: ForwardRequest, req: IncomingMessage, res: ServerResponse, hooks: ForwardHooks): Promise<ForwardResult> {
  const t0 = performance.now()
  const down = (res as unknown as Http2ServerResponse).stream
  return new Promise((resolve) => {
    let settled = false
    const settle = (r: ForwardResult) => {
      if (!settled) {
        settled = true
        resolve(r)
      }
    }
    const fail = (err: unknown) => settle({ ok: false, kind: down === undefined || down.destroyed ? 'aborted' : classifyUpstreamError(err), headersSent: down?.headersSent ?? false, upstreamLatencyMs: performance.now() - t0 })
    if (down === undefined) return fail(Object.assign(new Error('gRPC needs HTTP/2 from the client'), { code: 'EPROTO' }))
    const secure = service.protocol === 'grpcs'
    const h: OutgoingHttpHeaders = { ':method': fr.method, ':path': fr.path, ':scheme': secure ? 'https' : 'http', ':authority': String(fr.headers.host) }
    for (const k in fr.headers) if (!CONNECTION_SPECIFIC.has(k)) h[k] = fr.headers[k]
    let up: ReturnType<ClientHttp2Session['request']>
    try {
      up = session(target, secure).request(h, { waitForTrailers: false })
    } catch (err) {
      return fail(err)
    }
    let connected = false
    const connectTimer = setTimeout(() => !connected && up.destroy(Object.assign(new Error('connect timeout'), { code: 'UND_ERR_CONNECT_TIMEOUT' })), target.connectTimeout || 60_000)
    up.once('ready', () => {
      connected = true
      clearTimeout(connectTimer)
    })
    if (target.readTimeout > 0) up.setTimeout(target.readTimeout, () => up.destroy(Object.assign(new Error('read timeout'), { code: 'UND_ERR_HEADERS_TIMEOUT' })))
    up.on('error', (err) => {
      clearTimeout(connectTimer)
      if (down.headersSent) down.close(http2().constants.NGHTTP2_INTERNAL_ERROR)
      fail(err)
    })
    down.on('close', () => {
      if (!up.closed) up.close(http2().constants.NGHTTP2_CANCEL)
    })
    let status = 0
    let latency = 0
    up.on('response', (rh, flags) => {
      latency = performance.now() - t0
      status = Number(rh[':status'])
      const out: Record<string, string | string[]> = {}
      for (const k in rh) if (k.charCodeAt(0) !== 58) out[k] = rh[k] as string
      status = hooks.onHeaders(status, out, latency)
      // a trailers-only answer (an error from the gRPC server) ends the stream with its headers
      const endStream = (flags & http2().constants.NGHTTP2_FLAG_END_STREAM) !== 0
      if (down.destroyed) return
      down.respond({ ...out, ':status': status }, endStream ? { endStream: true } : { waitForTrailers: true })
      if (endStream) settle({ ok: true, status, upstreamLatencyMs: latency, bytesSent: 0 })
    })
    // the compat response already answers the stream's 'wantTrailers' with its own trailers: hand them over
    up.on('trailers', (t) => {
      const out: Record<string, string> = {}
      for (const k in t) if (k.charCodeAt(0) !== 58) out[k] = t[k] as string
      ;(res as unknown as Http2ServerResponse).addTrailers(out)
    })
    up.on('data', (chunk: Buffer) => {
      if (!down.write(chunk)) {
        up.pause()
        down.once('drain', () => up.resume())
      }
    })
    up.on('end', () => {
      clearTimeout(connectTimer)
      if (!down.destroyed && down.headersSent && !down.writableEnded) down.end()
      settle({ ok: true, status, upstreamLatencyMs: latency, bytesSent: 0 })
    })
    if (Buffer.isBuffer(fr.body)) up.end(fr.body)
    else if (fr.body) req.pipe(up)
    else up.end()
  })
}
