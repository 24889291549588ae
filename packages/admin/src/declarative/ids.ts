// Kong's deterministic ids for declarative entities: UUID v5 in a namespace per entity type, named by the
// entity's cache key or endpoint key, so the same file gives the same ids on every load and every node.
import { createHash } from 'node:crypto'
import type { EntityDef } from '@postern/shared'

/** The root namespace Kong derives every entity type's namespace from (declarative_config.lua). */
const ENTITIES_NAMESPACE = 'fd02801f-0957-4a15-a55a-c8d9606f30b5'

/** Kong's `cache_key`s for the entities it ships; our declarations do not carry them. */
export const CACHE_KEYS: Record<string, string[]> = {
  plugins: ['name', 'route', 'service', 'consumer'],
  keyauth_credentials: ['key'],
  jwt_secrets: ['key'],
  oauth2_credentials: ['client_id'],
  oauth2_tokens: ['access_token'],
  acls: ['consumer', 'group'],
  basicauth_credentials: ['username'],
  hmacauth_credentials: ['username'],
}

/** RFC 4122 name-based UUID (SHA-1), as resty.jit-uuid's factory_v5. */
export function uuidV5(namespace: string, name: string): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex')
  const h = createHash('sha1').update(ns).update(name, 'utf8').digest()
  h[6] = (h[6] & 0x0f) | 0x50
  h[8] = (h[8] & 0x3f) | 0x80
  const x = h.subarray(0, 16).toString('hex')
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`
}

const namespaces = new Map<string, string>()
function namespaceOf(entity: string): string {
  let ns = namespaces.get(entity)
  if (!ns) namespaces.set(entity, (ns = uuidV5(ENTITIES_NAMESPACE, entity)))
  return ns
}

export interface ParentRef {
  field: string
  id: unknown
}

/**
 * Kong's best-effort cache key: `<entity>:*:<values>`; undefined when a part is generated at insert time
 * (a random `key`), because then the id could not be stable. A missing optional part counts as ''.
 */
function cacheKey(def: EntityDef, keys: string[], item: Record<string, unknown>, parent?: ParentRef): string | undefined {
  const parts = [def.name, '*']
  for (const k of keys) {
    const f = def.fields[k]
    const v = item[k]
    if (f?.auto) return undefined
    if (typeof v === 'string') parts.push(v)
    else if (v === undefined) {
      if (parent && k === parent.field) {
        if (typeof parent.id !== 'string') return undefined
        parts.push(parent.id)
      } else if (f?.required) return undefined
      else parts.push('')
    }
  }
  return parts.join(':')
}

/** The id Kong would give an entity written without one, or undefined when Kong picks a random one. */
export function deterministicId(def: EntityDef, item: Record<string, unknown>, parent?: ParentRef): string | undefined {
  if (item.id !== undefined) return undefined
  const keys = CACHE_KEYS[def.name]
  if (keys) {
    const key = cacheKey(def, keys, item, parent)
    return key === undefined ? undefined : uuidV5(namespaceOf(def.name), key)
  }
  const ek = def.endpointKey
  if (!ek || item[ek] === undefined || item[ek] === null) return undefined
  let key = String(item[ek])
  if (!def.fields[ek]?.unique) {
    // a key unique only under its parent (targets of an upstream) is composed with the parent's
    for (const fk of def.foreignKeys) {
      if (fk.onDelete !== 'cascade') continue
      key += `:${parent && parent.field === fk.field ? String(parent.id) : String(item[fk.field])}`
    }
    key += ':*'
  }
  return uuidV5(namespaceOf(def.name), key)
}
