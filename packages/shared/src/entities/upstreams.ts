// Upstream entity (Kong's upstreams.lua): a virtual hostname balanced over targets, with its hashing and health checks.
import { text } from 'drizzle-orm/sqlite-core'
import { defineEntity } from '../entity.ts'
import { t, type Field } from '../typedefs.ts'
import type { FieldErrors } from '../errors.ts'
import { checkHost } from './services.ts'
import { defaultHealthchecks, healthchecksZod } from './healthchecks.ts'

export const ALGORITHMS = ['consistent-hashing', 'least-connections', 'round-robin', 'latency'] as const
export const HASH_ON = ['none', 'consumer', 'ip', 'header', 'cookie', 'path', 'query_arg', 'uri_capture'] as const

const IP_RE = /^(\d{1,3}(\.\d{1,3}){3}|\[?[0-9a-fA-F:]*:[0-9a-fA-F:.]*\]?)(:\d+)?$/

/** Kong's validate_name: a hostname, neither an IP address nor with a port. */
function checkUpstreamName(name: string): string | null {
  const label = `Invalid name ('${name}')`
  if (IP_RE.test(name)) return `${label}; no ip addresses allowed`
  if (/:\d*$/.test(name)) return `${label}; no port allowed`
  return checkHost(name) === null && !name.includes('*') ? null : `${label}; must be a valid hostname`
}

const HEADER_NAME_RE = /^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/
const header = () => t.string({ check: (s) => (HEADER_NAME_RE.test(s) ? null : `bad header name '${s}', allowed characters are A-Z, a-z, 0-9, '_', and '-'`) })
const hashOn = () => t.string({ oneOf: HASH_ON, default: 'none' })

function hostWithOptionalPort(s: string): string | null {
  const m = s.match(/^(.*?)(?::(\d+))?$/)!
  if (m[2] !== undefined && Number(m[2]) > 65535) return `invalid port number`
  return checkHost(m[1])
}

/** Kong's algorithm/hash_on shorthands: least-connections and latency reset hash_on; hash_on picks the algorithm. */
function prepare(src: Record<string, unknown>): void {
  if (src.algorithm === 'least-connections' || src.algorithm === 'latency') src.hash_on = 'none'
  else if (typeof src.hash_on === 'string' && src.algorithm === undefined) src.algorithm = src.hash_on === 'none' ? 'round-robin' : 'consistent-hashing'
}

const conditional = (ifField: string, thenField: string, msg: string): FieldErrors => ({
  [thenField]: msg,
  '@entity': [`failed conditional validation given value of field '${ifField}'`],
})

function checkHashing(u: Record<string, any>): FieldErrors | string | null {
  const need: Array<[string, string, string]> = [
    ['hash_on', 'header', 'hash_on_header'], ['hash_fallback', 'header', 'hash_fallback_header'],
    ['hash_on', 'cookie', 'hash_on_cookie'], ['hash_fallback', 'cookie', 'hash_on_cookie'],
    ['hash_on', 'query_arg', 'hash_on_query_arg'], ['hash_fallback', 'query_arg', 'hash_fallback_query_arg'],
    ['hash_on', 'uri_capture', 'hash_on_uri_capture'], ['hash_fallback', 'uri_capture', 'hash_fallback_uri_capture'],
  ]
  for (const [f, v, then] of need) if (u[f] === v && u[then] === null) return conditional(f, then, 'required field missing')
  if ((u.hash_on === 'none' || u.hash_on === 'cookie') && u.hash_fallback !== 'none') return conditional('hash_on', 'hash_fallback', 'expected one of: none')
  if (['consumer', 'ip', 'path'].includes(u.hash_on) && u.hash_fallback === u.hash_on) {
    const allowed = HASH_ON.filter((h) => h !== u.hash_on)
    return conditional('hash_on', 'hash_fallback', `expected one of: ${allowed.join(', ')}`)
  }
  for (const [a, b] of [['hash_on_header', 'hash_fallback_header'], ['hash_on_query_arg', 'hash_fallback_query_arg'], ['hash_on_uri_capture', 'hash_fallback_uri_capture']])
    if (u[a] !== null && u[a] === u[b]) return `values of these fields must be distinct: '${a}', '${b}'`
  return null
}

// kind `record`: a PATCH merges it field by field, as Kong merges records
const healthchecks: Field = { kind: 'record', zod: healthchecksZod, required: false, default: defaultHealthchecks, column: (n: string) => text(n, { mode: 'json' }) }

export const upstreams = defineEntity({
  name: 'upstreams',
  endpointKey: 'name',
  fields: {
    id: t.uuid(),
    created_at: t.autoTimestamp(),
    updated_at: t.autoTimestamp(),
    name: t.string({ required: true, unique: true, check: checkUpstreamName }),
    algorithm: t.string({ oneOf: ALGORITHMS, default: 'round-robin' }),
    hash_on: hashOn(),
    hash_fallback: hashOn(),
    hash_on_header: header(),
    hash_fallback_header: header(),
    hash_on_cookie: t.string({ check: (s) => (HEADER_NAME_RE.test(s) ? null : `contains one or more invalid characters. ASCII control characters (0-31;127), space, tab and the characters ()<>@,;:\\"/?={}[] are not allowed.`) }),
    hash_on_cookie_path: t.string({ default: '/', check: (p) => (p.startsWith('/') ? null : 'should start with: /') }),
    hash_on_query_arg: t.string(),
    hash_fallback_query_arg: t.string(),
    hash_on_uri_capture: t.string(),
    hash_fallback_uri_capture: t.string(),
    slots: t.integer({ between: [10, 65536], default: 10000 }),
    healthchecks,
    tags: t.tags(),
    host_header: t.string({ check: hostWithOptionalPort }),
    // a referenced certificate cannot be deleted (Kong's default for a foreign key)
    client_certificate: t.foreign('certificates', { onDelete: 'restrict' }),
    use_srv_name: t.boolean({ default: false }),
  },
  prepare,
  checks: [checkHashing],
})
