// What consistent hashing hashes (Kong's balancer get_value_to_hash): hash_on, then hash_fallback when empty.
import type { IncomingMessage } from 'node:http'
import type { Entity } from '@postern/shared'

export interface HashSource {
  req: IncomingMessage
  consumerId: string | null
  credentialId: string | null
  clientIp: string
  path: string
  rawQuery: string
  captures: { unnamed: string[]; named: Record<string, string> } | null
}

function valueOf(kind: string, name: string | null, s: HashSource): string | undefined {
  switch (kind) {
    case 'consumer':
      return s.consumerId ?? s.credentialId ?? undefined
    case 'ip':
      return s.clientIp || undefined
    case 'header': {
      const v = name ? s.req.headers[name.toLowerCase()] : undefined
      return Array.isArray(v) ? v.join(',') : v || undefined
    }
    case 'cookie': {
      const raw = s.req.headers.cookie
      if (!raw || !name) return undefined
      for (const part of raw.split(';')) {
        const i = part.indexOf('=')
        if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim() || undefined
      }
      return undefined
    }
    case 'path':
      return s.path
    case 'query_arg': {
      if (!name || s.rawQuery === '') return undefined
      const all = new URLSearchParams(s.rawQuery).getAll(name)
      return all.length ? all.join(',') : undefined
    }
    case 'uri_capture': {
      if (!name || !s.captures) return undefined
      return (/^\d+$/.test(name) ? s.captures.unnamed[Number(name) - 1] : s.captures.named[name]) || undefined
    }
    default:
      return undefined
  }
}

/** The field naming the header, cookie, query arg or capture for `kind` (hash_on or hash_fallback). */
function nameFor(u: Entity, kind: string, side: 'on' | 'fallback'): string | null {
  if (kind === 'cookie') return u.hash_on_cookie
  if (kind === 'header' || kind === 'query_arg' || kind === 'uri_capture') return u[`hash_${side}_${kind}`] ?? null
  return null
}

export function hashInput(u: Entity, s: HashSource): string | undefined {
  const first = valueOf(u.hash_on, nameFor(u, u.hash_on, 'on'), s)
  // Kong ignores the fallback when hashing on a cookie
  if (first !== undefined || u.hash_on === 'cookie') return first
  return valueOf(u.hash_fallback, nameFor(u, u.hash_fallback, 'fallback'), s)
}
