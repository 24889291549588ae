// Service entity (Kong's services.lua): where traffic goes, with the `url` shorthand.
import { z } from 'zod'
import { defineEntity } from '../entity.ts'
import { t, withCheck, type Field } from '../typedefs.ts'
import { text } from 'drizzle-orm/sqlite-core'
import type { FieldErrors } from '../errors.ts'

export const PROTOCOLS = ['grpc', 'grpcs', 'http', 'https', 'tcp', 'tls', 'tls_passthrough', 'udp'] as const

const HOST_RE = /^(?:[A-Za-z0-9](?:[A-Za-z0-9_-]{0,62})?)(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,62})?)*\.?$/
const IPV4_RE = /^\d{1,3}(?:\.\d{1,3}){3}$/

export function checkHost(h: string): string | null {
  if (h.startsWith('[') && h.endsWith(']')) return null
  if (/:\d+$/.test(h) && !h.includes('::')) return 'must not have a port'
  if (IPV4_RE.test(h)) return h.split('.').every((p) => Number(p) <= 255) ? null : `invalid value: ${h}`
  if (h.includes(':')) return null // IPv6 literal
  return HOST_RE.test(h) ? null : `invalid value: ${h}`
}

const RFC3986 = /^[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]*$/
export function checkServicePath(p: string): string | null {
  if (!p.startsWith('/')) return 'should start with: /'
  if (p.includes('//')) return 'must not have empty segments'
  if (!RFC3986.test(p)) return `invalid path: '${p}' (characters outside of the reserved list of RFC 3986 found)`
  const bad = p.match(/%(?![0-9A-Fa-f]{2})../)
  if (bad) return `invalid url-encoded value: '${bad[0]}'`
  return null
}

const timeout = () => t.integer({ between: [1, 2147483646], default: 60000, required: true })

/** LuaSocket's url.parse, which Kong's shorthand relies on: `a.test:80/x` has scheme `a.test`, not a host. */
export function parseUrl(url: string): { scheme?: string; host?: string; port?: string; path?: string } {
  const out: { scheme?: string; host?: string; port?: string; path?: string } = {}
  let rest = url.replace(/#[\s\S]*$/, '')
  rest = rest.replace(/^([A-Za-z0-9][A-Za-z0-9+\-.]*):/, (_, x: string) => ((out.scheme = x), ''))
  let authority: string | undefined
  rest = rest.replace(/^\/\/([^/]*)/, (_, x: string) => ((authority = x), ''))
  rest = rest.replace(/\?[\s\S]*$/, '').replace(/;[\s\S]*$/, '')
  if (rest !== '') out.path = rest
  if (authority !== undefined) {
    let a = authority.replace(/^[^@]*@/, '')
    a = a.replace(/:([^:\]]*)$/, (_, x: string) => ((out.port = x), ''))
    if (a !== '') out.host = a.match(/^\[(.+)\]$/)?.[1] ?? a
  }
  return out
}

/** The `url` shorthand: the URL overwrites protocol, host, port and path (Kong's services.lua). */
function expandUrl(value: unknown): { set?: Record<string, unknown>; error?: string } {
  if (typeof value !== 'string') return { error: 'expected a string' }
  if (value.trim() === '') return { error: 'length must be at least 1' }
  const u = parseUrl(value)
  const numeric = u.port !== undefined && /^\d+$/.test(u.port) ? Number(u.port) : undefined
  const protocol = u.scheme ?? (numeric === 80 ? 'http' : numeric === 443 ? 'https' : 'http')
  return {
    set: {
      protocol,
      host: u.host ?? null,
      // a non-numeric port stays text, so validation says `expected an integer`
      port: numeric ?? u.port ?? (protocol === 'https' ? 443 : 80),
      path: u.path ?? null,
    },
  }
}

const protocolField: Field = t.string({ oneOf: PROTOCOLS, default: 'http', required: true })

export const services = defineEntity({
  name: 'services',
  endpointKey: 'name',
  fields: {
    id: t.uuid(),
    created_at: t.autoTimestamp(),
    updated_at: t.autoTimestamp(),
    name: t.name(),
    retries: t.integer({ between: [0, 32767], default: 5, required: true }),
    protocol: protocolField,
    host: t.string({ required: true, check: checkHost }),
    port: t.integer({ between: [0, 65535], default: 80, required: true }),
    path: t.string({ check: checkServicePath }),
    connect_timeout: timeout(),
    write_timeout: timeout(),
    read_timeout: timeout(),
    tags: t.tags(),
    // Kong's default for a foreign key: a referenced certificate cannot be deleted
    client_certificate: t.foreign('certificates', { onDelete: 'restrict' }),
    tls_verify: t.boolean(),
    tls_verify_depth: t.integer({ between: [0, 64] }),
    ca_certificates: t.array({ kind: 'uuid', zod: z.string().uuid(), required: true, column: (n) => text(n) }),
    enabled: t.boolean({ default: true, required: true }),
  },
  shorthands: { url: expandUrl },
  checks: [
    (s): FieldErrors | null => {
      if (['tcp', 'tls', 'udp', 'grpc', 'grpcs'].includes(s.protocol) && s.path !== null)
        return { path: 'value must be null', '@entity': ["failed conditional validation given value of field 'protocol'"] }
      if (!['https', 'tls'].includes(s.protocol)) {
        for (const f of ['client_certificate', 'tls_verify', 'tls_verify_depth', 'ca_certificates'])
          if (s[f] !== null) return { [f]: 'value must be null', '@entity': ["failed conditional validation given value of field 'protocol'"] }
      }
      return null
    },
  ],
})

export { withCheck }
