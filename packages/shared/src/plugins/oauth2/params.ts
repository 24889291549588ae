// Request parameters as Kong's oauth2 reads them (query merged with the body), the HTTPS rule, scopes, and
// the redirect encoding of kong.tools.http.encode_args (sorted keys, lower-case percent escapes).
import type { PluginContext } from '../../pdk/index.ts'
import { MUST_USE_HTTPS, ONE_FORWARDED_PROTO, SCOPE_NOT_STRING, SCOPE_REQUIRED, invalidScope, oauthError, type OAuthError } from './messages.ts'
import type { OAuth2Config } from './schema.ts'

export type Params = Record<string, unknown>

/** Repeated names become arrays (which then fail the `typeof === 'string'` checks, as Kong's tables do). */
function argsOf(q: URLSearchParams): Params {
  const out: Params = {}
  for (const key of new Set(q.keys())) {
    const all = q.getAll(key)
    out[key] = all.length > 1 ? all : all[0]
  }
  return out
}

async function bodyArgs(ctx: PluginContext): Promise<Params> {
  const contentType = ctx.request.getHeader('content-type') ?? ''
  const type = contentType.toLowerCase()
  if (type.startsWith('application/x-www-form-urlencoded')) return argsOf(new URLSearchParams((await ctx.request.getBody()).toString('utf8')))
  if (type.startsWith('application/json')) return (await ctx.request.getParsedBody()) ?? {}
  if (type.startsWith('multipart/form-data')) {
    try {
      const form = await new Response(new Uint8Array(await ctx.request.getBody()), { headers: { 'content-type': contentType } }).formData()
      const out: Params = {}
      for (const [k, v] of form) if (typeof v === 'string') out[k] = out[k] === undefined ? v : ([] as unknown[]).concat(out[k], v)
      return out
    } catch {
      return {} // a malformed multipart body carries no parameters
    }
  }
  return {} // no or unknown content type: only the query counts
}

/** Kong's retrieve_parameters: the query, merged with the body for POST/PUT/PATCH; on a clash the body wins. */
export async function readParameters(ctx: PluginContext): Promise<Params> {
  const params = argsOf(ctx.request.getQuery())
  const m = ctx.request.method
  if (m === 'POST' || m === 'PUT' || m === 'PATCH') Object.assign(params, await bodyArgs(ctx))
  return params
}

/**
 * The HTTPS rule of the authorize and token endpoints (Kong's check_https): a TLS connection, or — only
 * with `accept_http_if_already_terminated` — a trusted peer's single `X-Forwarded-Proto: https`.
 */
export function httpsError(ctx: PluginContext, conf: OAuth2Config): string | null {
  const r = ctx.request
  if (r.tls) return null
  if (!conf.accept_http_if_already_terminated || !r.trusted) return MUST_USE_HTTPS
  const proto = r.getHeader('x-forwarded-proto')
  if (!proto) return MUST_USE_HTTPS
  if (proto.includes(',')) return ONE_FORWARDED_PROTO
  return proto.toLowerCase() === 'https' ? null : MUST_USE_HTTPS
}

/** Kong's retrieve_scope: the normalized scope string, nothing, or an `invalid_scope` error. */
export function retrieveScope(params: Params, conf: OAuth2Config): { scope?: string; error?: OAuthError } {
  const scope = params.scope
  if (conf.scopes && scope !== undefined) {
    if (typeof scope !== 'string') return { error: oauthError('invalid_scope', SCOPE_NOT_STRING) }
    const parts = scope.split(/\s+/).filter(Boolean)
    const bad = parts.find((p) => !conf.scopes!.includes(p))
    if (bad !== undefined) return { error: oauthError('invalid_scope', invalidScope(bad)) }
    // An empty scope string passes even with mandatory_scope, and yields no scope (Kong quirk kept).
    return parts.length ? { scope: parts.join(' ') } : {}
  }
  if (scope === undefined && conf.mandatory_scope) return { error: oauthError('invalid_scope', SCOPE_REQUIRED) }
  return {} // without configured scopes a requested scope is dropped silently, as in Kong
}

/** A non-blank string parameter (Kong's `strip(x) ~= ""`). */
export const isPresent = (v: unknown): v is string => typeof v === 'string' && v.trim() !== ''

/** LuaSocket url.escape: every byte outside `[A-Za-z0-9_]` as `%xx`, lower-case hex. */
export function escape(s: string): string {
  let out = ''
  for (const byte of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(byte)
    out += /[A-Za-z0-9_]/.test(c) ? c : '%' + byte.toString(16).padStart(2, '0')
  }
  return out
}

/** kong.tools.http.encode_args: sorted keys, `key[1]=` for arrays, booleans as text, empty values as a bare key. */
export function encodeArgs(args: Params): string {
  const parts: string[] = []
  const add = (key: string, value: unknown) => {
    if (value === undefined) return
    if (value !== null && typeof value === 'object') {
      const entries = Array.isArray(value) ? value.map((v, i) => [`${key}[${i + 1}]`, v] as const) : Object.keys(value).sort().map((k) => [`${key}.${k}`, (value as Params)[k]] as const)
      for (const [k, v] of entries) add(k, v)
      return
    }
    const text = value === null ? '' : String(value)
    parts.push(text === '' ? escape(key) : `${escape(key)}=${escape(text)}`)
  }
  for (const key of Object.keys(args).sort()) add(key, args[key])
  return parts.join('&')
}

/** ngx.decode_args: bare keys are `true`, repeated keys become arrays. */
export function decodeArgs(query: string): Params {
  const out: Params = {}
  for (const pair of query.split('&')) {
    if (!pair) continue
    const i = pair.indexOf('=')
    const dec = (s: string) => {
      try {
        return decodeURIComponent(s.replace(/\+/g, ' '))
      } catch {
        return s
      }
    }
    const key = dec(i < 0 ? pair : pair.slice(0, i))
    const value: unknown = i < 0 ? true : dec(pair.slice(i + 1))
    out[key] = out[key] === undefined ? value : ([] as unknown[]).concat(out[key], value)
  }
  return out
}

/**
 * The redirect of the authorize endpoint: `params` merged over what the registered URI already carries (in
 * its query, or its fragment for the implicit grant) and re-encoded; the rest of the URI is kept as written.
 */
export function buildRedirect(uri: string, params: Params, inFragment: boolean): string {
  const hash = uri.indexOf('#')
  const beforeHash = hash < 0 ? uri : uri.slice(0, hash)
  const fragment = hash < 0 ? '' : uri.slice(hash + 1)
  if (inFragment) return `${beforeHash}#${encodeArgs({ ...decodeArgs(fragment), ...params })}`
  const q = beforeHash.indexOf('?')
  const base = q < 0 ? beforeHash : beforeHash.slice(0, q)
  const query = q < 0 ? '' : beforeHash.slice(q + 1)
  return `${base}?${encodeArgs({ ...decodeArgs(query), ...params })}${hash < 0 ? '' : '#' + fragment}`
}
