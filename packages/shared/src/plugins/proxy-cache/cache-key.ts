// Kong's proxy-cache key: sha256 hex of "prefix|method|uri|params|headers" (kong/plugins/proxy-cache/cache_key.lua).
import { hash } from 'node:crypto'

export type Arg = string | string[] | true | undefined

/** Kong's get_query(): repeated names become lists, a bare `?flag` is `true`. */
export function parseQuery(raw: string): Map<string, string[] | string | true> {
  const out = new Map<string, string[] | string | true>()
  if (!raw) return out
  for (const part of raw.split('&')) {
    if (!part) continue
    const eq = part.indexOf('=')
    const name = dec(eq < 0 ? part : part.slice(0, eq))
    const v: string | true = eq < 0 ? true : dec(part.slice(eq + 1))
    const cur = out.get(name)
    out.set(name, cur === undefined ? v : [...(Array.isArray(cur) ? cur : [String(cur)]), String(v)])
  }
  return out
}

function dec(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '))
  } catch {
    return s
  }
}

/** generate_key_from: `field=value`, lists sorted and comma-joined, `true` as the bare field, joined by ':'. */
export function keyFrom(get: (field: string) => Arg, fields: readonly string[]): string {
  const parts: string[] = []
  for (const field of fields) {
    const arg = get(field)
    if (arg === undefined) continue
    if (Array.isArray(arg)) parts.push(`${field}=${[...arg].sort().join(',')}`)
    else if (arg === true) parts.push(field)
    else parts.push(`${field}=${arg}`)
  }
  return parts.join(':')
}

export function paramsKey(query: Map<string, string[] | string | true>, vary: readonly string[] | null): string {
  const fields = vary && vary.length ? vary : [...query.keys()].sort()
  return keyFrom((f) => query.get(f), fields)
}

export function headersKey(header: (name: string) => string | string[] | undefined, vary: readonly string[] | null): string {
  if (!vary || !vary.length) return ''
  return keyFrom(header, vary)
}

export function prefixOf(consumerId: string | null, routeId: string | null): string {
  if (consumerId && routeId) return `${consumerId}:${routeId}`
  return routeId ?? 'default'
}

export function buildCacheKey(prefix: string, method: string, uri: string, params: string, headers: string): string {
  return hash('sha256', `${prefix}|${method}|${uri}|${params}|${headers}`, 'hex') // one-shot: no Hash object per request
}
