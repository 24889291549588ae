// Route entity (Kong's routes.lua + routes_subschemas.lua): how requests find a service.
import { z } from 'zod'
import { text } from 'drizzle-orm/sqlite-core'
import { defineEntity } from '../entity.ts'
import { t, withCheck, type Field } from '../typedefs.ts'
import { PROTOCOLS } from './services.ts'
import { normalizePath } from '../path.ts'
import type { FieldErrors } from '../errors.ts'

const str = (check?: (s: string) => string | null): Field => t.string({ required: true, check })

export function checkRoutePath(p: string): string | null {
  if (!p.startsWith('/') && !p.startsWith('~/')) return 'should start with: / (fixed path) or ~/ (regex path)'
  if (p.includes('//')) return 'must not have empty segments'
  if (p.startsWith('~')) {
    try {
      new RegExp(p.slice(1))
    } catch (e) {
      return `invalid regex: '${p.slice(1)}' (PCRE returned: ${(e as Error).message})`
    }
    return null
  }
  const bad = p.match(/%(?![0-9A-Fa-f]{2}).{0,2}/)
  if (bad) return `invalid url-encoded value: '${bad[0]}'`
  const norm = normalizePath(p)
  if (norm !== p) return `non-normalized path, consider use '${norm}' instead`
  return null
}

export function checkRouteHost(h: string): string | null {
  let host = h
  const pm = h.match(/^(.*?):(\d*)$/)
  if (pm && !h.includes(']')) {
    host = pm[1]
    const port = Number(pm[2])
    if (pm[2] === '' || port > 65535) return 'invalid port number'
  }
  const stars = host.split('*').length - 1
  if (stars > 1) return 'invalid wildcard: must have at most one wildcard'
  if (stars === 1 && !host.startsWith('*.') && !host.endsWith('.*')) return 'invalid wildcard: must be placed at leftmost or rightmost label'
  const plain = host.replace(/^\*\./, 'x.').replace(/\.\*$/, '.x')
  if (!/^[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?$/.test(plain) && !/^\[[0-9a-fA-F:.]+\]$/.test(plain)) return `invalid hostname: ${h}`
  return null
}

const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/

export const routes = defineEntity({
  name: 'routes',
  endpointKey: 'name',
  fields: {
    id: t.uuid(),
    created_at: t.autoTimestamp(),
    updated_at: t.autoTimestamp(),
    name: t.name(),
    protocols: t.set(t.string({ oneOf: PROTOCOLS, required: true }), { default: ['http', 'https'], required: true, min: 1 }),
    methods: t.set(str((m) => (/^[A-Z]+$/.test(m) ? null : `invalid value: ${m}`))),
    hosts: t.array(str(checkRouteHost)),
    paths: t.array(str(checkRoutePath)),
    headers: {
      ...t.map(z.string(), t.array(str())),
      zod: withCheck(z.record(z.string(), z.array(z.string().min(1)), { error: 'expected a map' }), (m: Record<string, string[]>) => {
        for (const k of Object.keys(m)) {
          if (k.toLowerCase() === 'host') return "cannot contain 'host' header, which must be specified in the 'hosts' attribute"
          if (!HEADER_NAME.test(k)) return `invalid header name: ${k}`
        }
        return null
      }),
    } as Field,
    snis: t.set(str()),
    sources: { kind: 'json', zod: z.array(z.object({ ip: z.string().optional(), port: z.number().int().optional() })), required: false, column: (n: string) => text(n, { mode: 'json' }) } as Field,
    destinations: { kind: 'json', zod: z.array(z.object({ ip: z.string().optional(), port: z.number().int().optional() })), required: false, column: (n: string) => text(n, { mode: 'json' }) } as Field,
    https_redirect_status_code: t.integer({ oneOf: [426, 301, 302, 307, 308], default: 426, required: true }),
    regex_priority: t.integer({ default: 0 }),
    strip_path: t.boolean({ default: true, required: true }),
    path_handling: t.string({ oneOf: ['v0', 'v1'], default: 'v0' }),
    preserve_host: t.boolean({ default: false, required: true }),
    request_buffering: t.boolean({ default: true, required: true }),
    response_buffering: t.boolean({ default: true, required: true }),
    tags: t.tags(),
    service: t.foreign('services', { onDelete: 'restrict' }),
  },
  checks: [
    (r): string | FieldErrors | null => {
      const protos: string[] = r.protocols
      const groups = [['http', 'https'], ['tcp', 'tls', 'udp'], ['tls_passthrough'], ['grpc', 'grpcs']]
      const g = groups.find((grp) => grp.includes(protos[0]))!
      if (protos.some((p) => !g.includes(p))) return { protocols: `these sets are mutually exclusive: ('http', 'https'), ('tcp', 'tls', 'udp'), ('tls_passthrough'), ('grpc', 'grpcs')` }
      const set = (k: string) => r[k] !== null && !(Array.isArray(r[k]) && r[k].length === 0) && !(k === 'headers' && Object.keys(r[k]).length === 0)
      if (protos[0] === 'http' || protos[0] === 'https') {
        for (const k of ['sources', 'destinations']) if (r[k] !== null) return { [k]: `cannot set '${k}' when 'protocols' is 'http' or 'https'` }
        const tlsy = protos.includes('https')
        if (!tlsy && r.snis?.length) return { snis: 'length must be 0', '@entity': ["'snis' can only be set when 'protocols' is 'grpcs', 'https', 'tls' or 'tls_passthrough'"] }
        const attrs = tlsy ? ['methods', 'hosts', 'headers', 'paths', 'snis'] : ['methods', 'hosts', 'headers', 'paths']
        if (!attrs.some(set)) return `must set one of ${attrs.map((a) => `'${a}'`).join(', ')} when 'protocols' is '${tlsy ? 'https' : 'http'}'`
      }
      if (protos[0] === 'grpc' || protos[0] === 'grpcs') {
        if (r.strip_path === true) return { strip_path: "cannot set 'strip_path' when 'protocols' is 'grpc' or 'grpcs'" }
      }
      return null
    },
  ],
})
