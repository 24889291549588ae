// The request headers sent upstream (Kong §4.6): hop-by-hop removed, client identity headers dropped,
// Host per preserve_host, X-Forwarded-*, X-Real-IP, Via and X-Kong-Request-Id.
import type { IncomingMessage } from 'node:http'
import { CONSUMER_HEADERS } from '@postern/shared/pdk/index.ts'
import { wantsTrailers } from '../upstream/hop-by-hop.ts'
import { knowHeaderNames } from '../upstream/undici.ts'

type Headers = Record<string, string | string[]>

/** The headers the gateway sets on upstream requests (below), besides host and via. */
export const GATEWAY_HEADERS = [
  'x-real-ip', 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'x-forwarded-port', 'x-forwarded-path',
  'x-forwarded-prefix', 'x-kong-request-id',
] as const
// these and the auth plugins' consumer headers skip undici's per-request name check (upstream/undici.ts)
knowHeaderNames([...GATEWAY_HEADERS, ...CONSUMER_HEADERS])

/** Never forwarded as the client sent them: hop-by-hop, and identity that only an auth plugin may set. */
const DROP = new Set([
  // `proxy` never reaches the upstream (httpoxy: CGI-style upstreams read it as HTTP_PROXY)
  'connection', 'keep-alive', 'proxy-connection', 'proxy', 'upgrade', 'transfer-encoding', 'te', 'host',
  ...CONSUMER_HEADERS,
  // set below from trusted values only; never copied (so nothing is ever deleted from the object)
  'x-forwarded-prefix',
])

export const VIA = '1.1 postern'

export interface ForwardInfo {
  /** The connecting peer (Kong's realip_remote_addr). */
  clientIp: string
  /** The client address after real-IP processing (Kong's remote_addr). */
  forwardedIp: string
  trusted: boolean
  scheme: 'http' | 'https'
  /** The listener's port as text (the handler makes it once per listener). */
  listenPort: string
  rawPath: string
  prefix: string | null
  hostHeader: string
  upstreamHost: string
  requestId: string
}

export function upstreamHeaders(req: IncomingMessage, i: ForwardInfo): Headers {
  const src = req.headers
  const out: Headers = {}
  const listed = connectionTokens(src.connection)
  for (const name in src) {
    if (DROP.has(name) || (listed && listed.has(name))) continue
    const v = src[name]
    if (v !== undefined) out[name] = v
  }
  if (src.te !== undefined && wantsTrailers(src.te)) out.te = 'trailers'
  out.host = i.upstreamHost
  out['x-real-ip'] = i.forwardedIp
  // Kong's runloop: the client's list plus the connecting peer; without a list, the forwarded address
  const xff = src['x-forwarded-for']
  out['x-forwarded-for'] = xff ? `${xff}, ${i.clientIp}` : i.forwardedIp
  out['x-forwarded-proto'] = (i.trusted ? trustedValue(src, 'x-forwarded-proto') : undefined) ?? i.scheme
  out['x-forwarded-host'] = (i.trusted ? trustedValue(src, 'x-forwarded-host') : undefined) ?? hostWithoutPort(i.hostHeader)
  out['x-forwarded-port'] = (i.trusted ? trustedValue(src, 'x-forwarded-port') : undefined) ?? i.listenPort
  out['x-forwarded-path'] = (i.trusted ? trustedValue(src, 'x-forwarded-path') : undefined) ?? i.rawPath
  const prefix = (i.trusted ? trustedValue(src, 'x-forwarded-prefix') : undefined) ?? i.prefix
  if (prefix) out['x-forwarded-prefix'] = prefix
  out.via = src.via ? `${src.via}, ${VIA}` : VIA
  out['x-kong-request-id'] = i.requestId
  return out
}

/** A client's X-Forwarded-* value, taken only from trusted peers (the first when repeated). */
function trustedValue(src: IncomingMessage['headers'], name: string): string | undefined {
  const v = src[name]
  return Array.isArray(v) ? v[0] : v
}

/**
 * The header names a client's `Connection` lists (Kong's csv: lower-cased, trimmed, empty items skipped);
 * null for the usual single keep-alive/close/upgrade, which name nothing else.
 */
export function connectionTokens(conn: string | string[] | undefined): Set<string> | null {
  if (conn === undefined) return null
  const v = (typeof conn === 'string' ? conn : conn.join(',')).toLowerCase()
  if (v === 'keep-alive' || v === 'close' || v === 'upgrade') return null
  const set = new Set<string>()
  for (const part of v.split(',')) {
    const name = part.trim()
    if (name !== '') set.add(name)
  }
  return set
}

export function hostWithoutPort(h: string): string {
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1)
  const c = h.lastIndexOf(':')
  let end = h.length
  if (c > 0 && c < h.length - 1) {
    let digits = true
    for (let k = c + 1; k < h.length; k++) {
      const ch = h.charCodeAt(k)
      if (ch < 48 || ch > 57) {
        digits = false
        break
      }
    }
    if (digits) end = c
  }
  const host = end === h.length ? h : h.slice(0, end)
  return hasUpper(host) ? host.toLowerCase() : host
}

/** The Host header without a trailing `:<digits>` (as `h.replace(/:\d+$/, '')`, without a regex per request). */
export function stripPortSuffix(h: string): string {
  let k = h.length - 1
  while (k >= 0 && h.charCodeAt(k) >= 48 && h.charCodeAt(k) <= 57) k--
  return k >= 0 && k < h.length - 1 && h.charCodeAt(k) === 58 /* : */ ? h.slice(0, k) : h
}

/**
 * `name.toLowerCase()`, skipping the builtin call when the name is lower-case ASCII already, as the header
 * names plugins pass usually are (counted under callgrind: ≈ 280 instructions per builtin call, five per
 * authenticated request in `setConsumer`). Unlike `hasUpper` below (the Host, which nginx lower-cases in ASCII
 * only), any non-ASCII character defers to `toLowerCase`, so the result is always `name.toLowerCase()`.
 */
export function lowerCased(name: string): string {
  for (let k = 0; k < name.length; k++) {
    const ch = name.charCodeAt(k)
    if ((ch >= 65 && ch <= 90) || ch > 127) return name.toLowerCase()
  }
  return name
}

function hasUpper(s: string): boolean {
  for (let k = 0; k < s.length; k++) {
    const ch = s.charCodeAt(k)
    if (ch >= 65 && ch <= 90) return true
  }
  return false
}

/** RFC 3986's unreserved, sub-delims, ':', '@', '/', '?', '#', '[', ']' and '%' (a path keeps these as they are). */
const SAFE_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!#$&'()*+,/:;=?@[]%"
const SAFE = new Uint8Array(128)
for (let i = 0; i < SAFE_CHARS.length; i++) SAFE[SAFE_CHARS.charCodeAt(i)] = 1

/** Re-escape a normalized path for the request line (Kong escapes what is outside RFC 3986's sets). */
export function escapePath(p: string): string {
  // a loop over the path: a regex test costs more in call overhead than the usual short path takes to scan
  let k = 0
  while (k < p.length && p.charCodeAt(k) < 128 && SAFE[p.charCodeAt(k)] === 1) k++
  if (k === p.length) return p
  let out = p.slice(0, k)
  for (const ch of p.slice(k)) {
    const c = ch.charCodeAt(0)
    out += c < 128 && SAFE[c] === 1 ? ch : [...Buffer.from(ch, 'utf8')].map((b) => '%' + b.toString(16).toUpperCase().padStart(2, '0')).join('')
  }
  return out
}
