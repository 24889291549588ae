// Upstream failure taxonomy: undici/Node error codes → ForwardResult kinds → Kong's client-facing status+message.

export type UpstreamErrorKind =
  | 'connect_timeout'
  | 'read_timeout'
  | 'write_timeout'
  | 'refused'
  | 'reset'
  | 'invalid_response'
  | 'dns'
  | 'aborted'

/** Codes we raise ourselves, so the classifier can tell them apart from undici's. */
export const WRITE_TIMEOUT_CODE = 'POSTERN_UPSTREAM_WRITE_TIMEOUT'
export const READ_TIMEOUT_CODE = 'POSTERN_UPSTREAM_READ_TIMEOUT'
export const CLIENT_ABORTED_CODE = 'POSTERN_CLIENT_ABORTED'

export class UpstreamWriteTimeoutError extends Error {
  readonly code = WRITE_TIMEOUT_CODE
  constructor() {
    super('upstream write timeout')
  }
}

export class UpstreamReadTimeoutError extends Error {
  readonly code = READ_TIMEOUT_CODE
  constructor() {
    super('upstream read timeout')
  }
}

export class ClientAbortedError extends Error {
  readonly code = CLIENT_ABORTED_CODE
  constructor() {
    super('client closed the connection')
  }
}

/**
 * The one table. Anything not listed (and not an llhttp `HPE_*` parse error) is treated as an invalid
 * response: a 502 without retry is the conservative answer for an error we do not understand.
 */
const CODE_KIND: Record<string, UpstreamErrorKind> = {
  // Connect phase: the request never reached the upstream, so these are always safe to retry.
  UND_ERR_CONNECT_TIMEOUT: 'connect_timeout',
  ETIMEDOUT: 'connect_timeout', // kernel-level connect timeout / happy-eyeballs attempt timeout
  ECONNREFUSED: 'refused',
  EHOSTUNREACH: 'refused',
  ENETUNREACH: 'refused',
  EHOSTDOWN: 'refused',
  ENETDOWN: 'refused',
  EADDRNOTAVAIL: 'refused',
  // Timeouts between reads: ours (timers.ts); undici's only if a pool is built with its own timers.
  [READ_TIMEOUT_CODE]: 'read_timeout',
  UND_ERR_HEADERS_TIMEOUT: 'read_timeout',
  UND_ERR_BODY_TIMEOUT: 'read_timeout',
  [WRITE_TIMEOUT_CODE]: 'write_timeout',
  // Connection died after it was established (nginx: "upstream prematurely closed connection").
  ECONNRESET: 'reset',
  EPIPE: 'reset',
  ECONNABORTED: 'reset',
  UND_ERR_SOCKET: 'reset',
  UND_ERR_CLOSED: 'reset',
  UND_ERR_DESTROYED: 'reset',
  // The upstream spoke, but not valid HTTP/1.1 (or lied about its length / sent oversized headers).
  UND_ERR_RES_CONTENT_LENGTH_MISMATCH: 'invalid_response',
  UND_ERR_HEADERS_OVERFLOW: 'invalid_response',
  UND_ERR_INFO: 'invalid_response',
  EPROTO: 'invalid_response',
  ERR_TLS_CERT_ALTNAME_INVALID: 'invalid_response',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'invalid_response',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'invalid_response',
  SELF_SIGNED_CERT_IN_CHAIN: 'invalid_response',
  CERT_HAS_EXPIRED: 'invalid_response',
  // Name resolution (Kong resolves before the balancer, so this is a Kong-producer 503, never retried).
  ENOTFOUND: 'dns',
  EAI_AGAIN: 'dns',
  EAI_FAIL: 'dns',
  EAI_NODATA: 'dns',
  EAI_NONAME: 'dns',
  // Someone (the client, or us on its behalf) cancelled the request.
  [CLIENT_ABORTED_CODE]: 'aborted',
  UND_ERR_ABORTED: 'aborted',
  UND_ERR_ABORT: 'aborted',
  ABORT_ERR: 'aborted',
}

/** Maps any error surfaced by undici to a ForwardResult kind. */
export function classifyUpstreamError(err: unknown): UpstreamErrorKind {
  let e = err as { code?: unknown; errors?: unknown[]; cause?: unknown; name?: string } | null
  // Happy-eyeballs (autoSelectFamily) wraps per-address failures in an AggregateError; the first one is
  // representative. undici sometimes wraps the socket error in `cause`.
  for (let depth = 0; e && depth < 3; depth++) {
    const code = e.code
    if (typeof code === 'string') {
      const kind = CODE_KIND[code]
      if (kind !== undefined) return kind
      if (code.startsWith('HPE_')) return 'invalid_response'
      if (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_')) return 'invalid_response'
    }
    if (e.name === 'AbortError') return 'aborted'
    e = (Array.isArray(e.errors) && e.errors.length > 0 ? e.errors[0] : e.cause) as typeof e
  }
  return 'invalid_response'
}

/**
 * Kong/nginx retry only on `error timeout` (proxy_next_upstream default): connection failures, resets and
 * timeouts before the response headers. Invalid responses and DNS failures are final.
 */
export function isRetryableKind(kind: UpstreamErrorKind): boolean {
  return kind === 'refused' || kind === 'connect_timeout' || kind === 'reset' || kind === 'read_timeout' || kind === 'write_timeout'
}

/** Failures that happened before anything was sent, so even non-idempotent requests may be retried. */
export function isConnectFailure(kind: UpstreamErrorKind): boolean {
  return kind === 'refused' || kind === 'connect_timeout'
}

export interface KongErrorSpec {
  status: number
  message: string
  /** Which Kong code path renders it (decides the format fallback, see kong-errors.ts). */
  producer: 'kong' | 'nginx'
}

const TIMEOUT: KongErrorSpec = { status: 504, message: 'The upstream server is timing out', producer: 'nginx' }
const BAD_GATEWAY: KongErrorSpec = {
  status: 502,
  message: 'An invalid response was received from the upstream server',
  producer: 'nginx',
}

/** What the client sees for each failure kind (only meaningful when no response headers were sent yet). */
export const KIND_RESPONSE: Readonly<Record<UpstreamErrorKind, KongErrorSpec>> = {
  connect_timeout: TIMEOUT,
  read_timeout: TIMEOUT,
  write_timeout: TIMEOUT,
  refused: BAD_GATEWAY,
  reset: BAD_GATEWAY,
  invalid_response: BAD_GATEWAY,
  dns: { status: 503, message: 'name resolution failed', producer: 'kong' },
  // nginx logs 499 when the client went away; nothing is sent, the entry exists for access logs.
  aborted: { status: 499, message: 'client closed request', producer: 'nginx' },
}
