// Finding the token (Kong's retrieve_tokens): query parameters, then cookies, then `Bearer` headers;
// identical tokens count once. Also removes it again for `hide_credentials`.
import type { PdkRequest, PdkUpstream } from '../../pdk/index.ts'

export interface TokenSources {
  uri_param_names: readonly string[]
  cookie_names: readonly string[]
  /** Lower-case (the plugin's compile lower-cases them), as node keys request headers. */
  header_names: readonly string[]
}

export type Found =
  | { kind: 'none' }
  | { kind: 'multiple' }
  /** A bare `?jwt` flag: Kong sees the boolean `true`, not a string. */
  | { kind: 'unrecognizable' }
  | { kind: 'token'; token: string; where: { params: string[]; cookies: string[]; headers: string[] } }

// unanchored, as Kong's `\s*[Bb]earer\s+(.+)`: text before `Bearer` is tolerated, `BEARER` is not
const BEARER = /\s*[Bb]earer\s+(.+)/
const SPACE = /\s/

/** `.` stops at these; a header value never holds them, but the fast path must not differ from BEARER. */
function hasLineEnd(v: string): boolean {
  return v.indexOf('\n') >= 0 || v.indexOf('\r') >= 0 || v.indexOf('\u2028') >= 0 || v.indexOf('\u2029') >= 0
}

/**
 * BEARER's capture. The usual `Bearer <token>` (one space, the token not starting with white space) is the
 * rest of the value, taken without running the pattern over a token of several hundred characters.
 */
export function bearerToken(value: string): string | undefined {
  const c = value.charCodeAt(0)
  if ((c === 66 || c === 98) && value.startsWith('earer ', 1) && value.length > 7 && !SPACE.test(value[7]) && !hasLineEnd(value)) {
    return value.slice(7)
  }
  return BEARER.exec(value)?.[1]
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '))
  } catch {
    return s
  }
}

/** Query values by name; a name without `=` is `true` (Kong's get_query). */
const NO_VALUES: ReadonlyMap<string, (string | true)[]> = new Map()

function queryValues(rawQuery: string, names: readonly string[]): ReadonlyMap<string, (string | true)[]> {
  if (!rawQuery || names.length === 0) return NO_VALUES
  const out = new Map<string, (string | true)[]>()
  for (const part of rawQuery.split('&')) {
    if (!part) continue
    const eq = part.indexOf('=')
    const name = decode(eq < 0 ? part : part.slice(0, eq))
    if (!names.includes(name)) continue
    const list = out.get(name) ?? []
    list.push(eq < 0 ? true : decode(part.slice(eq + 1)))
    out.set(name, list)
  }
  return out
}

/** The first cookie of that name (nginx's `$cookie_<name>`), value as sent. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined
  for (const pair of header.split(';')) {
    const eq = pair.indexOf('=')
    if (eq < 0) continue
    if (pair.slice(0, eq).trim() === name) return pair.slice(eq + 1).trim()
  }
  return undefined
}

/**
 * Kong reads the first occurrence of a repeated token header (`request_headers[v][1]`). node keeps the first
 * `Authorization` itself but joins other repeated headers with ", " (`X-Token: Bearer a, Bearer b`); a JWT
 * never contains ", ", so the first occurrence is the text before it. (The PDK's getHeader has the same
 * joined value; reading the first line there, from rawHeaders, would fix it for every plugin.)
 */
function firstOccurrence(raw: string | string[] | undefined): string | undefined {
  const v = Array.isArray(raw) ? raw[0] : raw
  if (v === undefined) return undefined
  const comma = v.indexOf(', ')
  return comma < 0 ? v : v.slice(0, comma)
}

export function findToken(conf: TokenSources, req: Pick<PdkRequest, 'rawQuery' | 'headers'>): Found {
  // a list, not a Set: a Set would hash each token (hundreds of characters) on every request
  const tokens: (string | true)[] = []
  const where = { params: [] as string[], cookies: [] as string[], headers: [] as string[] }
  const query = queryValues(req.rawQuery, conf.uri_param_names)
  for (const name of conf.uri_param_names) {
    for (const v of query.get(name) ?? []) {
      if (v === '') continue
      if (!tokens.includes(v)) tokens.push(v)
      if (!where.params.includes(name)) where.params.push(name)
    }
  }
  if (conf.cookie_names.length) {
    const cookies = req.headers.cookie
    const header = Array.isArray(cookies) ? cookies.join('; ') : cookies
    for (const name of conf.cookie_names) {
      const v = cookieValue(header, name)
      if (!v) continue
      if (!tokens.includes(v)) tokens.push(v)
      where.cookies.push(name)
    }
  }
  for (const name of conf.header_names) {
    const value = firstOccurrence(req.headers[name])
    const token = value === undefined ? undefined : bearerToken(value)
    if (token === undefined) continue
    if (!tokens.includes(token)) tokens.push(token)
    where.headers.push(name)
  }
  if (tokens.length === 0) return { kind: 'none' }
  if (tokens.length > 1) return { kind: 'multiple' }
  const token = tokens[0]
  if (token === true) return { kind: 'unrecognizable' }
  return { kind: 'token', token, where }
}

/** `hide_credentials`: strip the token from every place it was found before proxying. */
export function hideToken(found: Extract<Found, { kind: 'token' }>, req: Pick<PdkRequest, 'rawQuery' | 'headers'>, up: PdkUpstream): void {
  const { params, cookies, headers } = found.where
  for (const name of headers) up.clearHeader(name)
  if (params.length) {
    const kept = req.rawQuery.split('&').filter((part) => {
      const eq = part.indexOf('=')
      return part !== '' && !params.includes(decode(eq < 0 ? part : part.slice(0, eq)))
    })
    up.setRawQuery(kept.join('&'))
  }
  if (cookies.length) {
    const current = up.getHeader('cookie')
    const kept = (current ?? '').split(';').filter((pair) => {
      const name = pair.slice(0, Math.max(0, pair.indexOf('='))).trim()
      return pair.trim() !== '' && !cookies.includes(name)
    })
    if (kept.length) up.setHeader('cookie', kept.map((p) => p.trim()).join('; '))
    else up.clearHeader('cookie')
  }
}
