// Kong 3.9 error bodies for responses the gateway produces itself (format negotiation + templates + request ids).
import { randomFillSync } from 'node:crypto'

export type KongErrorProducer = 'kong' | 'nginx'

export interface KongErrorOptions {
  /** Request `Accept` header (several values are joined with ',' like Kong does for the 'kong' producer). */
  accept?: string | string[]
  /** Request `Content-Type`; only the 'nginx' producer falls back to it. */
  contentType?: string | string[]
  requestId: string
  /**
   * 'kong' = kong.response.error (router, plugins): Accept, else JSON.
   * 'nginx' = error page handler (upstream 502/503/504, malformed requests): Accept, else Content-Type, else
   * error_default_type.
   */
  producer: KongErrorProducer
  /** kong.configuration.error_default_type (nginx producer only); Kong's default is text/plain. */
  errorDefaultType?: string
  /** For the 'kong' producer: the request is gRPC (HTTP/2 + application/grpc). HTTP/1 Postern leaves it unset. */
  grpc?: boolean
}

export interface RenderedKongError {
  contentType: string
  body: string
  /** gRPC request: send no body, but `grpc-status`/`grpc-message` headers (the caller's job). */
  grpc?: boolean
}

const JSON_TYPE = 'application/json; charset=utf-8'
const PLAIN_TYPE = 'text/plain; charset=utf-8'
const HTML_TYPE = 'text/html; charset=utf-8'
const XML_TYPE = 'application/xml; charset=utf-8'
const GRPC_TYPE = 'application/grpc'

// Kong's MIME_TYPES lookup: exact and case-sensitive, so "Text/Plain" falls back to JSON just as in Kong.
// application/grpc maps to "" (Kong quirk: an empty Content-Type and an empty body).
const MIME_TYPES: Record<string, string> = {
  'application/grpc': '',
  'text/html': HTML_TYPE,
  'application/json': JSON_TYPE,
  'text/plain': PLAIN_TYPE,
  'application/xml': XML_TYPE,
  application: JSON_TYPE,
  text: PLAIN_TYPE,
}

// Kong's Accept grammar (tools/http.lua get_response_type), anchored at the start only and case-insensitive.
// A media type token needs at least two characters; q accepts at most three decimals.
const MEDIA_RE = /^((?:[a-z0-9][a-z0-9\-!#$&^_+.]+|\*)\/(?:[a-z0-9][a-z0-9\-!#$&^_+.]+|\*))/i
// One `;param` per exec; PCRE keeps the last q captured across repetitions, which a JS repeated group would
// not, hence the explicit loop.
const PARAM_RE = /\s*;\s*(?:q=(1(?:\.0{0,3})?|0(?:\.\d{0,3})?)|[a-z0-9][a-z0-9\-!#$&^_+.]+(?:=[^;]*)?)/iy

/** Kong's get_mime_type with use_default: a media range → response Content-Type (unknown → JSON). */
function mimeFor(mediaType: string): string {
  const slash = mediaType.indexOf('/')
  const sub = mediaType.slice(slash + 1)
  if (sub === '*') {
    const main = mediaType.slice(0, slash)
    if (main === '*') return JSON_TYPE
    return Object.hasOwn(MIME_TYPES, main) ? MIME_TYPES[main] : JSON_TYPE
  }
  return Object.hasOwn(MIME_TYPES, mediaType) ? MIME_TYPES[mediaType] : JSON_TYPE
}

/** Response Content-Type for an Accept-like header value: the media range with the highest q wins, ties keep the first. */
export function responseTypeFor(accept: string): string {
  let type = JSON_TYPE
  let best = 0
  for (const part of accept.split(',')) {
    const value = part.trim()
    const m = MEDIA_RE.exec(value)
    if (m === null) continue
    let q = 1
    PARAM_RE.lastIndex = m[0].length
    let p: RegExpExecArray | null
    while ((p = PARAM_RE.exec(value)) !== null) {
      if (p[1] !== undefined) q = Number(p[1])
    }
    if (q > best) {
      best = q
      type = mimeFor(m[1])
    }
  }
  return type
}

const HTTP_MESSAGES: Record<number, string> = {
  400: 'Bad request', 401: 'Unauthorized', 402: 'Payment required', 403: 'Forbidden', 404: 'Not found',
  405: 'Method not allowed', 406: 'Not acceptable', 407: 'Proxy authentication required', 408: 'Request timeout',
  409: 'Conflict', 410: 'Gone', 411: 'Length required', 412: 'Precondition failed', 413: 'Payload too large',
  414: 'URI too long', 415: 'Unsupported media type', 416: 'Range not satisfiable', 417: 'Expectation failed',
  418: "I'm a teapot", 421: 'Misdirected request', 422: 'Unprocessable entity', 423: 'Locked',
  424: 'Failed dependency', 425: 'Too early', 426: 'Upgrade required', 428: 'Precondition required',
  429: 'Too many requests', 431: 'Request header fields too large', 451: 'Unavailable for legal reasons',
  494: 'Request header or cookie too large', 500: 'An unexpected error occurred', 501: 'Not implemented',
  502: 'An invalid response was received from the upstream server',
  503: 'The upstream server is currently unavailable', 504: 'The upstream server is timing out',
  505: 'HTTP version not supported', 506: 'Variant also negotiates', 507: 'Insufficient storage',
  508: 'Loop detected', 510: 'Not extended', 511: 'Network authentication required',
}

// The nginx error page handler knows fewer statuses than kong.response.error.
const NGINX_STATUSES = new Set([400, 404, 405, 408, 411, 412, 413, 414, 417, 494, 500, 502, 503, 504])

/** Default message when none is given: Kong's per-producer tables, else "The upstream server responded with N". */
export function defaultErrorMessage(status: number, producer: KongErrorProducer = 'kong'): string {
  const known = producer === 'kong' || NGINX_STATUSES.has(status) ? HTTP_MESSAGES[status] : undefined
  return known ?? `The upstream server responded with ${status}`
}

/** Kong's templates; the message is inserted verbatim (no JSON/HTML escaping), which is a Kong quirk we keep. */
function template(contentType: string, msg: string, id: string): string {
  switch (contentType) {
    case JSON_TYPE:
      return `{\n  "message":"${msg}",\n  "request_id":"${id}"\n}`
    case PLAIN_TYPE:
      return `${msg}\nrequest_id: ${id}\n`
    case HTML_TYPE:
      return (
        '<!doctype html>\n<html>\n  <head>\n    <meta charset="utf-8">\n    <title>Error</title>\n  </head>\n' +
        `  <body>\n    <h1>Error</h1>\n    <p>${msg}.</p>\n    <p>request_id: ${id}</p>\n  </body>\n</html>\n`
      )
    case XML_TYPE:
      return `<?xml version="1.0" encoding="UTF-8"?>\n<error>\n  <message>${msg}</message>\n  <requestid>${id}</requestid>\n</error>\n`
    default:
      return '' // the application/grpc quirk
  }
}

/**
 * Renders an error the gateway produces itself, exactly as Kong 3.9 would (§4.10). `message` null/undefined
 * uses Kong's default for the status. HEAD requests must still get no body: that is the caller's job.
 */
export function renderKongError(status: number, message: string | null | undefined, opts: KongErrorOptions): RenderedKongError {
  const msg = message ?? defaultErrorMessage(status, opts.producer)
  let negotiate: string
  if (opts.producer === 'kong') {
    if (opts.grpc === true) return { contentType: GRPC_TYPE, body: '', grpc: true }
    if (opts.accept === undefined) return { contentType: JSON_TYPE, body: template(JSON_TYPE, msg, opts.requestId) }
    negotiate = typeof opts.accept === 'string' ? opts.accept : opts.accept.join(',')
  } else {
    // kong.request.get_header returns the first value of a repeated header.
    negotiate = first(opts.accept) ?? first(opts.contentType) ?? opts.errorDefaultType ?? 'text/plain'
    if (negotiate.startsWith(GRPC_TYPE)) return { contentType: GRPC_TYPE, body: '', grpc: true }
  }
  const contentType = responseTypeFor(negotiate)
  return { contentType, body: template(contentType, msg, opts.requestId) }
}

function first(v: string | string[] | undefined): string | undefined {
  return typeof v === 'string' || v === undefined ? v : v[0]
}

// Request ids: 16 random bytes as 32 lowercase hex, like nginx's $request_id. Random bytes are drawn and
// turned into hex in batches, so a request id costs a substring (no native call per request; V8 slices it, so
// an id kept for long keeps its batch's 8 kB of hex alive, which is all it costs).
const ID_BATCH = 256
const idPool = Buffer.allocUnsafe(16 * ID_BATCH)
let idHex = ''
let idOffset = 0

/** A new request id: 32 lowercase hex characters. */
export function newRequestId(): string {
  if (idOffset === idHex.length) {
    randomFillSync(idPool)
    idHex = idPool.toString('hex')
    idOffset = 0
  }
  const id = idHex.slice(idOffset, idOffset + 32)
  idOffset += 32
  return id
}
