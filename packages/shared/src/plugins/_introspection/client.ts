// The RFC 7662 introspection call shared by the token plugins: a form-encoded POST (never a GET, so the
// token stays out of URLs and access logs) with the caller's own credentials, through ctx.http.
import type { PdkHttp } from '../../pdk/index.ts'

export interface IntrospectionCall {
  url: string
  token: string
  /** `application/jwt` (Curity's phantom-token dialect) or `application/json` (RFC 7662). */
  accept: string
  /** The gateway's own credential for the IdP, e.g. from `basicCredentials`. */
  authorization: string
  tokenTypeHint?: string | null
  headers?: Record<string, string>
  timeoutMs: number
  /** false skips certificate checks (phantom-token's `verify_ssl`). */
  verifyTls?: boolean
  /** Largest answer accepted; larger ones are a transport failure, never buffered whole. */
  maxBytes?: number
}

/** Introspection answers are small; anything larger than this is refused rather than buffered. */
export const MAX_INTROSPECTION_BYTES = 1024 * 1024

export type IntrospectionAnswer =
  | { kind: 'response'; status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }
  | { kind: 'transport'; error: string }

/**
 * `Basic base64(id:secret)`. RFC 6749 §2.3.1 form-encodes both parts first; Curity's phantom-token plugin
 * before 2.0.2 sent them raw, and both agree for the unreserved characters client ids normally use.
 */
export function basicCredentials(clientId: string, clientSecret: string, formEncode = false): string {
  const enc = (s: string) => (formEncode ? encodeURIComponent(s).replace(/%20/g, '+') : s)
  return 'Basic ' + Buffer.from(`${enc(clientId)}:${enc(clientSecret)}`, 'utf8').toString('base64')
}

/** The form body: `token=<form-encoded>` and `token_type_hint` when set (RFC 7662 §2.1). */
export function introspectionBody(token: string, tokenTypeHint?: string | null): string {
  const form = new URLSearchParams({ token })
  if (tokenTypeHint) form.set('token_type_hint', tokenTypeHint)
  return form.toString()
}

/** One call; transport problems (refused, reset, timeout, TLS) come back as `kind: 'transport'`, never thrown. */
export async function introspect(http: PdkHttp, call: IntrospectionCall): Promise<IntrospectionAnswer> {
  try {
    const res = await http.request(call.url, {
      method: 'POST',
      headers: {
        ...call.headers,
        'content-type': 'application/x-www-form-urlencoded',
        accept: call.accept,
        authorization: call.authorization,
      },
      body: introspectionBody(call.token, call.tokenTypeHint),
      timeoutMs: call.timeoutMs,
      verifyTls: call.verifyTls,
      maxBytes: call.maxBytes ?? MAX_INTROSPECTION_BYTES,
    })
    return { kind: 'response', status: res.status, headers: res.headers, body: res.body }
  } catch (e) {
    // The message names the failure (ECONNREFUSED, timeout); it never contains the token.
    return { kind: 'transport', error: errorText(e) }
  }
}

export function errorText(e: unknown): string {
  const err = e as { code?: string; name?: string; message?: string }
  return [err?.code ?? err?.name, err?.message].filter(Boolean).join(': ') || String(e)
}

/** First value of a response header (lower-case name). */
export function headerOf(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const v = headers[name]
  return Array.isArray(v) ? v[0] : v
}
