// Origin matching as Kong's cors handler does it, compiled once per instance: `*`, one literal echoed as is,
// or a list of normalized literals and anchored regexes (matched on the host when the regex has no `:`).
import { toRegExp } from '../../pdk/regex.ts'

/** Kong's normalize_origin (LuaSocket url.parse): `scheme://host[:port]` without the default port. */
export interface NormalizedOrigin {
  domain: string
  host: string
}

const SCHEME = /^([A-Za-z0-9][A-Za-z0-9+.-]*):(.*)$/s

export function normalizeOrigin(origin: string): NormalizedOrigin {
  let rest = origin
  const hash = rest.indexOf('#')
  if (hash >= 0) rest = rest.slice(0, hash)
  let scheme: string | null = null
  const m = SCHEME.exec(rest)
  if (m !== null) {
    scheme = m[1]
    rest = m[2]
  }
  if (!rest.startsWith('//')) return { domain: origin, host: origin }
  let authority = rest.slice(2)
  const end = authority.search(/[/?;]/)
  if (end >= 0) authority = authority.slice(0, end)
  const at = authority.lastIndexOf('@')
  if (at >= 0) authority = authority.slice(at + 1)
  let port: string | null = null
  const pm = /:([^:\]]*)$/.exec(authority)
  if (pm !== null) {
    port = pm[1]
    authority = authority.slice(0, pm.index)
  }
  if (authority === '') return { domain: origin, host: origin }
  if ((scheme === 'http' && port === '80') || (scheme === 'https' && port === '443')) port = null
  return { domain: (scheme !== null ? scheme + '://' : '') + authority + (port !== null ? ':' + port : ''), host: authority }
}

type Entry = { regex: RegExp; byHost: boolean } | { domain: string }

export type OriginPolicy =
  /** `Access-Control-Allow-Origin: *` on every response, no Vary. */
  | { kind: 'any' }
  /** A single literal origin, sent whatever the request's Origin. */
  | { kind: 'fixed'; origin: string }
  /** Echo the request's normalized Origin when it matches; `star` when `*` is one of several entries. */
  | { kind: 'list'; entries: Entry[]; star: boolean; cache: Map<string, string | null> }

const LITERAL = /^[A-Za-z0-9.:/-]+$/

export function compileOrigins(origins: readonly string[] | null): OriginPolicy {
  if (!origins || origins.length === 0 || (origins.length === 1 && origins[0] === '*')) return { kind: 'any' }
  if (origins.length === 1 && LITERAL.test(origins[0])) return { kind: 'fixed', origin: origins[0] }
  const entries: Entry[] = []
  let star = false
  for (let entry of origins) {
    if (entry === '*') {
      star = true
      break // Kong stops at `*`: every later entry is irrelevant
    }
    if (!LITERAL.test(entry)) {
      // Kong 0.x did not anchor regexes; Kong anchors them at both ends and tolerates explicit anchors
      if (!entry.endsWith('$')) entry += '$'
      if (entry.startsWith('^')) entry = entry.slice(1)
      const source = toRegExp(entry)
      entries.push({ regex: new RegExp('^(?:' + source.source + ')', source.flags), byHost: !entry.includes(':') })
    } else entries.push({ domain: normalizeOrigin(entry).domain })
  }
  return { kind: 'list', entries, star, cache: new Map() }
}

/** Kong keeps 10^4 normalized request origins per worker; Postern keeps as many verdicts per instance. */
const CACHE_SIZE = 10_000

/** The value to send as Access-Control-Allow-Origin for this request Origin, or null when it does not match. */
export function matchOrigin(policy: Extract<OriginPolicy, { kind: 'list' }>, requestOrigin: string): string | null {
  const hit = policy.cache.get(requestOrigin)
  if (hit !== undefined) return hit
  const o = normalizeOrigin(requestOrigin)
  let allowed: string | null = null
  for (const e of policy.entries) {
    if ('regex' in e ? e.regex.test(e.byHost ? o.host : o.domain) : e.domain === o.domain) {
      allowed = o.domain
      break
    }
  }
  if (policy.cache.size >= CACHE_SIZE) policy.cache.delete(policy.cache.keys().next().value!)
  policy.cache.set(requestOrigin, allowed)
  return allowed
}
