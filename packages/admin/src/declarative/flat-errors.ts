// `?flatten_errors=1` (Kong's errors.lua declarative_config_flattened): one entry per failing entity, nested
// entities hoisted to their own entry with their parent's id filled in; what is flattened leaves `fields`.
import { isUuid } from '@postern/shared'
import type { Model } from './model.ts'

export interface FlatError {
  entity_type: string
  entity_name?: string
  entity_id?: string
  entity_tags?: string[]
  entity: Record<string, unknown>
  errors: ({ type: 'entity'; message: string } | { type: 'field'; field: string; message: string })[]
}

type Json = Record<string, unknown>
const isRecord = (v: unknown): v is Json => !!v && typeof v === 'object' && !Array.isArray(v)
const singular = (noun: string) => (noun.endsWith('s') ? noun.slice(0, -1) : noun)

/** Keys of an error node (array slots 1-based), sorted as Kong drains them. */
function keysOf(node: unknown): (string | number)[] {
  if (Array.isArray(node)) return node.flatMap((x, i) => (x === null ? [] : [i + 1]))
  return Object.keys(node as Json).sort()
}
const at = (node: unknown, k: string | number) => (Array.isArray(node) ? node[(k as number) - 1] : (node as Json)[k])

function categorize(err: unknown, ns: string, out: FlatError['errors']): void {
  for (const k of keysOf(err)) {
    const v = at(err, k)
    const field = ns ? `${ns}.${k}` : String(k)
    if (k === '@entity') for (const m of [v].flat()) out.push({ type: 'entity', message: String(m) })
    else if (typeof v === 'string') out.push({ type: 'field', field, message: v })
    else if (isRecord(v) || Array.isArray(v)) categorize(v, field, out)
  }
}

function addEntity(model: Model, type: string, entity: unknown, err: unknown, out: FlatError[]): void {
  if (typeof err === 'string') err = { '@entity': [err] }
  // a list of messages for one entity (dangling references) is about the entity as a whole
  if (Array.isArray(err) && err.every((x) => typeof x === 'string')) err = { '@entity': err }
  if (!isRecord(err) || !isRecord(entity)) return
  const e: Json = { ...entity }
  const rest: Json = { ...err }
  const pk = isUuid(e.id) ? { id: e.id } : undefined
  for (const { def, field } of model.children.get(type) ?? []) {
    const children = e[def.name]
    if (!Array.isArray(children)) continue
    delete e[def.name]
    const childErrors = rest[def.name]
    delete rest[def.name]
    if (!Array.isArray(childErrors)) continue
    children.forEach((child, i) => {
      const c = isRecord(child) && child[field] === undefined && pk ? { ...child, [field]: pk } : child
      if (childErrors[i] !== null && childErrors[i] !== undefined) addEntity(model, def.name, c, childErrors[i], out)
    })
  }
  const errors: FlatError['errors'] = []
  categorize(rest, '', errors)
  if (!errors.length) return
  const tags = Array.isArray(e.tags) && e.tags.every((t) => typeof t === 'string') ? (e.tags as string[]) : undefined
  out.push({
    entity_type: singular(type),
    ...(typeof e.name === 'string' && e.name ? { entity_name: e.name } : {}),
    ...(isUuid(e.id) ? { entity_id: e.id as string } : {}),
    ...(tags ? { entity_tags: tags } : {}),
    entity: e,
    errors,
  })
}

/**
 * Flatten `fields` against the submitted document. Entity sections are removed from `fields` as they are
 * flattened; what has no entity (an unknown top-level key) stays, as in Kong.
 */
export function flattenErrors(model: Model, input: Json, fields: Json): FlatError[] {
  const out: FlatError[] = []
  for (const type of Object.keys(fields).sort()) {
    const section = fields[type]
    const list = input[type]
    const def = model.byName.get(type)
    if (!def || !Array.isArray(list) || typeof section !== 'object' || section === null) continue
    const kept: Json = {}
    for (const k of keysOf(section)) {
      // top-level errors are filed by position, or by endpoint key (or id) for references and unique fields
      const entity = typeof k === 'number' ? list[k - 1] : list.find((x) => isRecord(x) && ((def.endpointKey && x[def.endpointKey] === k) || x.id === k))
      if (isRecord(entity)) addEntity(model, type, entity, at(section, k), out)
      else kept[k] = at(section, k)
    }
    if (Object.keys(kept).length) fields[type] = kept
    else delete fields[type]
  }
  return out
}
