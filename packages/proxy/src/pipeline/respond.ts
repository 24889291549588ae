// Responses the gateway produces itself: Kong's error template (router and upstream errors, plugin
// `ctx.error`) and plugin exits, with Kong's response headers.
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Exit } from '@postern/shared'
import { renderKongError } from '../upstream/kong-errors.ts'
import { kSentHeaders } from '../upstream/forward.ts'
import { bodyUnread, linger } from '@postern/shared/http/linger.ts'

export const SERVER = 'postern/0.1.0'

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v
}

/** Headers every gateway-made response carries. */
export function gatewayHeaders(requestId: string, t0: number): Record<string, string> {
  return {
    server: SERVER,
    'x-kong-response-latency': String(Math.round(performance.now() - t0)),
    'x-kong-request-id': requestId,
  }
}

export function sendKongError(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  message: string,
  requestId: string,
  t0: number,
  producer: 'kong' | 'nginx' = 'kong',
  extra: Record<string, string | string[]> = {},
  filter?: (status: number, headers: Record<string, string | string[]>) => number,
): void {
  if (res.headersSent) {
    res.destroy()
    return
  }
  const { contentType, body } = renderKongError(status, message, {
    accept: first(req.headers.accept),
    contentType: first(req.headers['content-type']),
    requestId,
    producer,
  })
  const headers: Record<string, string | string[]> = { ...gatewayHeaders(requestId, t0), ...extra, 'content-type': contentType, 'content-length': String(Buffer.byteLength(body)) }
  // header_filter phases run on the gateway's own upstream-failure answers too, as in Kong (cors on a 502)
  if (filter) status = filter(status, headers)
  res.writeHead(status, headers)
  ;(res as ServerResponse & { [kSentHeaders]?: unknown })[kSentHeaders] = headers
  if (bodyUnread(req)) linger(req)
  res.end(req.method === 'HEAD' ? undefined : body)
}

/** A plugin's answer: Kong's template for `ctx.error`, the given body for `ctx.exit`. */
export function sendExit(req: IncomingMessage, res: ServerResponse, exit: Exit, requestId: string, t0: number, filter?: (status: number, headers: Record<string, string | string[]>) => number): void {
  if (exit.template) {
    const message = (exit.body as { message: string }).message
    const { contentType, body } = renderKongError(exit.status, message, {
      accept: first(req.headers.accept),
      contentType: first(req.headers['content-type']),
      requestId,
      producer: 'kong',
    })
    return write(req, res, exit.status, { 'content-type': contentType, ...lower(exit.headers) }, body, requestId, t0, filter)
  }
  let body: string | Buffer = ''
  const headers: Record<string, string | string[]> = {}
  if (exit.body !== undefined && exit.body !== null) {
    if (Buffer.isBuffer(exit.body)) {
      body = exit.body // bytes as they are (a cached response may be binary)
      headers['content-type'] = 'text/plain; charset=utf-8'
    } else if (typeof exit.body === 'string') {
      body = exit.body
      headers['content-type'] = 'text/plain; charset=utf-8'
    } else {
      body = JSON.stringify(exit.body)
      headers['content-type'] = 'application/json; charset=utf-8'
    }
  }
  Object.assign(headers, lower(exit.headers))
  write(req, res, exit.status, headers, body, requestId, t0, filter)
}

function lower(h?: Record<string, string | string[]>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {}
  if (h) for (const [k, v] of Object.entries(h)) out[k.toLowerCase()] = v
  return out
}

function write(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  headers: Record<string, string | string[]>,
  body: string | Buffer,
  requestId: string,
  t0: number,
  filter?: (status: number, headers: Record<string, string | string[]>) => number,
): void {
  Object.assign(headers, gatewayHeaders(requestId, t0))
  headers['content-length'] = String(Buffer.byteLength(body))
  if (filter) status = filter(status, headers)
  res.writeHead(status, headers)
  ;(res as ServerResponse & { [kSentHeaders]?: unknown })[kSentHeaders] = headers
  if (bodyUnread(req)) linger(req)
  res.end(req.method === 'HEAD' ? undefined : body)
}
