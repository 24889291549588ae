// Route validation rules (Kong's routes.lua, routes_subschemas.lua and typedefs): paths, hosts, stream
// endpoints, and the per-protocol subschemas that decide which matching attributes a route may set.
import { isIP } from 'node:net'
import { z } from 'zod'
import { text } from 'drizzle-orm/sqlite-core'
import { t, withCheck, type Field } from '../typedefs.ts'
import { normalizePath } from '../path.ts'
import type { FieldErrors } from '../errors.ts'

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

/** typedefs.ip_or_cidr: an IPv4/IPv6 address, optionally with a `/prefix` in range. */
export function checkIpOrCidr(v: string): string | null {
  const [ip, prefix, extra] = v.split('/')
  const family = isIP(ip)
  const max = family === 4 ? 32 : 128
  const ok = family !== 0 && extra === undefined && (prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= max))
  return ok ? null : `invalid ip or cidr range: '${v}'`
}

const AT_LEAST_IP_OR_PORT = "at least one of these fields must be non-empty: 'ip', 'port'"
const ipField = { ...t.string({ check: checkIpOrCidr }), required: false }
const portField = t.integer({ between: [0, 65535] })

/** One element of `sources`/`destinations`: `{ ip, port }`, at least one of them set. */
const endpointField: Field = {
  kind: 'record',
  required: true,
  fields: { ip: ipField, port: portField },
  column: (n: string) => text(n),
  zod: z
    .strictObject({ ip: ipField.zod.nullish(), port: portField.zod.nullish() }, { error: 'expected a record' })
    .superRefine((v, ctx) => {
      if (v.ip == null && v.port == null) ctx.addIssue({ code: 'custom', path: ['@entity'], message: AT_LEAST_IP_OR_PORT })
    }),
}
export const streamEndpoints = () => t.set(endpointField)

export const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/

export const headersZod = withCheck(z.record(z.string(), z.array(z.string().min(1)), { error: 'expected a map' }), (m: Record<string, string[]>) => {
  for (const k of Object.keys(m)) {
    if (k.toLowerCase() === 'host') return "cannot contain 'host' header, which must be specified in the 'hosts' attribute"
    if (!HEADER_NAME.test(k)) return `invalid header name: ${k}`
  }
  return null
})

const GROUPS = [['http', 'https'], ['tcp', 'tls', 'udp'], ['tls_passthrough'], ['grpc', 'grpcs']]
const EXCLUSIVE = `these sets are mutually exclusive: ${GROUPS.map((g) => `(${g.map((p) => `'${p}'`).join(', ')})`).join(', ')}`
const quoted = (names: string[]) => names.map((a) => `'${a}'`).join(', ')

const isGrpc = (protos: unknown) => Array.isArray(protos) && (protos[0] === 'grpc' || protos[0] === 'grpcs')

/** The grpc subschema defaults `strip_path` to false (applied before field defaults). */
export function routeSubschemaDefaults(src: Record<string, unknown>): void {
  if (src.strip_path === undefined && isGrpc(src.protocols)) src.strip_path = false
}

/** Subschema selected by the first protocol, as Kong's `subschema_key = "protocols"`. */
export function checkRouteProtocols(r: Record<string, any>): string | FieldErrors | null {
  const protos: string[] = r.protocols
  const group = GROUPS.find((g) => g.includes(protos[0]))!
  if (protos.some((p) => !group.includes(p))) return { protocols: EXCLUSIVE }
  const present = (k: string) => r[k] !== null && r[k] !== undefined
  const nonEmpty = (k: string) => present(k) && !(Array.isArray(r[k]) && r[k].length === 0) && !(k === 'headers' && Object.keys(r[k]).length === 0)
  const errors: FieldErrors = {}
  const forbid = (names: string[], when: string) => {
    for (const k of names) if (present(k)) errors[k] = `cannot set '${k}' when 'protocols' is ${when}`
  }
  let need: string[] = []
  let needMsg = ''
  const first = protos[0]
  if (first === 'http' || first === 'https') {
    forbid(['sources', 'destinations'], "'http' or 'https'")
    const tls = protos.includes('https')
    need = tls ? ['methods', 'hosts', 'headers', 'paths', 'snis'] : ['methods', 'hosts', 'headers', 'paths']
    needMsg = `must set one of ${quoted(need)} when 'protocols' is '${tls ? 'https' : 'http'}'`
  } else if (first === 'grpc' || first === 'grpcs') {
    if (r.strip_path === true) errors.strip_path = "cannot set 'strip_path' when 'protocols' is 'grpc' or 'grpcs'"
    forbid(['methods', 'sources', 'destinations'], "'grpc' or 'grpcs'")
    const tls = protos.includes('grpcs')
    need = tls ? ['hosts', 'headers', 'paths', 'snis'] : ['hosts', 'headers', 'paths']
    needMsg = `must set one of ${quoted(need)} when 'protocols' is '${tls ? 'grpcs' : 'grpc'}'`
  } else {
    forbid(['methods', 'hosts', 'paths', 'headers'], "'tcp', 'tls', 'tls_passthrough' or 'udp'")
    if (first === 'tls_passthrough') {
      need = ['snis']
      needMsg = "must set snis when 'protocols' is 'tls_passthrough'"
    } else {
      need = ['sources', 'destinations', 'snis']
      needMsg = `must set one of ${quoted(need)} when 'protocols' is 'tcp', 'tls' or 'udp'`
    }
  }
  if (Object.keys(errors).length) return errors
  // routes.lua's entity check: snis need a TLS-terminating protocol
  const tlsy = ['grpcs', 'https', 'tls', 'tls_passthrough']
  if (nonEmpty('snis') && !protos.some((p) => tlsy.includes(p))) {
    return { snis: 'length must be 0', '@entity': ["'snis' can only be set when 'protocols' is 'grpcs', 'https', 'tls' or 'tls_passthrough'"] }
  }
  if (!need.some(nonEmpty)) return needMsg
  return null
}
