// Request-head checks nginx makes before Kong runs (so Kong answers what nginx answers): size limits,
// Host validity, TRACE, Transfer-Encoding on HTTP/1.0, absolute-form targets and node's parse errors.
import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import { newRequestId, renderKongError } from '../upstream/kong-errors.ts'
import { SERVER } from './respond.ts'

/** nginx large_client_header_buffers (4 8k): one line must fit in 8k, the whole head in 4 × 8k. */
export const LINE_LIMIT = 8192
export const HEAD_LIMIT = 4 * 8192
/**
 * node's maxHeaderSize for the listeners: above nginx's limits so that node's parser only overflows on heads
 * nginx would reject too; the exact limits are checked per request by `checkRequest`.
 */
export const MAX_HEADER_SIZE = LINE_LIMIT + HEAD_LIMIT

export interface Rejection {
  status: number
  message: string
  /** nginx turns keep-alive off after these (ngx_http_special_response_handler). */
  close: boolean
}

const BAD: Rejection = { status: 400, message: 'Bad request', close: true }
const TOO_LARGE: Rejection = { status: 400, message: 'Request header or cookie too large', close: true }
const URI_TOO_LONG: Rejection = { status: 414, message: 'URI too long', close: true }
const NOT_ALLOWED: Rejection = { status: 405, message: 'Method not allowed', close: false }

/** The head checks, in nginx's order (request line, header sizes, Host, Transfer-Encoding, TRACE). */
export function checkRequest(req: IncomingMessage, method: string, url: string): Rejection | null {
  // "<method> <target> HTTP/1.x\r\n"
  if (method.length + url.length + 12 > LINE_LIMIT) return URI_TOO_LONG
  const raw = req.rawHeaders
  let total = method.length + url.length + 12
  let hosts = 0
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]
    const line = name.length + raw[i + 1].length + 4 // "name: value\r\n"
    if (line > LINE_LIMIT) return TOO_LARGE
    total += line
    if (name.length === 4 && (name === 'Host' || name === 'host' || name.toLowerCase() === 'host')) hosts++
  }
  if (total > HEAD_LIMIT) return TOO_LARGE
  // node keeps the first of two Host headers; nginx refuses the request ("client sent duplicate host header").
  if (hosts > 1) return BAD
  const host = req.headers.host
  // HTTP/1.0 alone may omit Host and may not carry Transfer-Encoding (HTTP/2 has neither rule: its host is
  // :authority, and a streamed HTTP/2 body is marked chunked for the HTTP/1.1 upstream)
  const http10 = req.httpVersionMajor === 1 && req.httpVersionMinor === 0
  if (host === undefined ? !http10 : !validHost(host)) return BAD // HTTP/1.1 needs a Host
  if (http10 && req.headers['transfer-encoding'] !== undefined) return BAD
  if (method === 'TRACE') return NOT_ALLOWED
  return null
}

/**
 * nginx's ngx_http_validate_host: not empty, no '/', no control characters or spaces, no '..'; a trailing dot
 * is allowed. Everything else (including ',') passes, as in nginx.
 */
export function validHost(h: string): boolean {
  let len = h.length
  if (len === 0) return false
  let prevDot = false
  for (let i = 0; i < len; i++) {
    const c = h.charCodeAt(i)
    if (c === 46 /* . */) {
      if (prevDot) return false
      prevDot = true
      continue
    }
    prevDot = false
    if (c <= 0x20 || c === 0x7f || c === 47 /* / */) return false
  }
  if (h.charCodeAt(len - 1) === 46) len--
  return len > 0
}

/** The path has a NUL escape or a '%' not followed by two hex digits (nginx: invalid request). */
export function badPercent(path: string): boolean {
  let i = path.indexOf('%')
  while (i !== -1) {
    const a = path.charCodeAt(i + 1)
    const b = path.charCodeAt(i + 2)
    if (!isHex(a) || !isHex(b) || (a === 48 && b === 48)) return true
    i = path.indexOf('%', i + 3)
  }
  return false
}

const DOT_ESCAPE = /%2e/gi

/**
 * The path climbs above the root through `..` segments (`/../etc/passwd`, `/a/%2e%2e/..`): nginx refuses it as
 * an invalid request instead of normalizing it away. Paths without '..' (or an escaped dot) cost one scan.
 */
export function aboveRoot(path: string): boolean {
  if (!path.includes('..')) {
    if (!path.includes('%')) return false
    path = path.replace(DOT_ESCAPE, '.')
    if (!path.includes('..')) return false
  } else if (path.includes('%')) path = path.replace(DOT_ESCAPE, '.')
  let depth = 0
  for (const seg of path.split('/')) {
    if (seg === '' || seg === '.') continue
    if (seg === '..') {
      if (--depth < 0) return true
    } else depth++
  }
  return false
}

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || ((c | 0x20) >= 97 && (c | 0x20) <= 102)
}

export interface AbsoluteTarget {
  /** The request-target's authority (host[:port]), which replaces Host (RFC 9112 §3.2.2). */
  authority: string
  /** The origin-form part: path (at least '/') and query. */
  target: string
}

// scheme "://" authority, then the path-abempty/query. Userinfo is refused, as nginx's request-line parser does.
const ABSOLUTE_RE = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/((?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._~!$&'()*+,;=%-]+)(?::\d*)?)([/?].*)?$/s

/** Splits an absolute-form target; null for anything else that is not origin-form (→ 400). */
export function absoluteTarget(url: string): AbsoluteTarget | null {
  const m = ABSOLUTE_RE.exec(url)
  if (m === null) return null
  const rest = m[2] ?? '/'
  return { authority: m[1], target: rest.charCodeAt(0) === 63 /* ? */ ? '/' + rest : rest }
}

export type ParseError = Error & { code?: string; rawPacket?: Buffer; bytesParsed?: number }

/**
 * node:http's `clientError`: the head could not be parsed, so no request handler runs. Answers as nginx does
 * through Kong's error page (text/plain: no header of this request is known), then closes the connection.
 */
export function onClientError(err: ParseError, socket: Duplex): void {
  const busy = (socket as Duplex & { _httpMessage?: unknown })._httpMessage
  // A reset, a header timeout (nginx closes silently) or a response already on the wire: just close.
  if (err.code === 'ECONNRESET' || err.code === 'ERR_HTTP_REQUEST_TIMEOUT' || !socket.writable || busy) {
    socket.destroy()
    return
  }
  let status = 400
  let message = 'Bad request'
  if (err.code === 'HPE_HEADER_OVERFLOW') {
    if (inRequestLine(err)) {
      status = 414
      message = 'URI too long'
    } else message = 'Request header or cookie too large'
  }
  answerRaw(socket, status, message)
}

/**
 * node:http's `connect` event (a CONNECT request never reaches the request handler): nginx refuses the method
 * with 405 ("client sent CONNECT method"), through Kong's error page.
 */
export function onConnectMethod(req: IncomingMessage, socket: Duplex): void {
  if (!socket.writable) return void socket.destroy()
  const h = req.headers
  answerRaw(socket, 405, 'Method not allowed', first(h.accept) ?? first(h['content-type']))
}

const REASONS: Record<number, string> = { 400: 'Bad Request', 405: 'Not Allowed', 414: 'Request-URI Too Large' }

/** Writes a Kong error page straight to a socket no ServerResponse owns, and closes it. */
function answerRaw(socket: Duplex, status: number, message: string, accept?: string): void {
  const requestId = newRequestId()
  const { contentType, body } = renderKongError(status, message, { producer: 'nginx', requestId, accept })
  socket.end(
    `HTTP/1.1 ${status} ${REASONS[status]}\r\nDate: ${new Date().toUTCString()}\r\nContent-Type: ${contentType}\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\nX-Kong-Response-Latency: 0\r\n` +
      `Server: ${SERVER}\r\nX-Kong-Request-Id: ${requestId}\r\n\r\n${body}`,
  )
}

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v
}

const REQUEST_LINE_START = /^[A-Z]+ /

/**
 * Whether the head overflowed inside the request line. node does not say, so look at the chunk being parsed:
 * the text from the last line break before the failure (or from the chunk's start) is a request line when it
 * starts with "METHOD " (a header line never contains a space before its colon).
 */
function inRequestLine(err: ParseError): boolean {
  const packet = err.rawPacket
  if (!Buffer.isBuffer(packet)) return false
  const end = Math.min(typeof err.bytesParsed === 'number' ? err.bytesParsed : packet.length, packet.length)
  const nl = packet.lastIndexOf(10, end - 1)
  const start = nl === -1 ? 0 : nl + 1
  return REQUEST_LINE_START.test(packet.toString('latin1', start, Math.min(start + 32, end)))
}
