// Validation of a flattened kong.yml in Kong's three passes, each reported only when the previous one passed:
// every entity against its declaration, then references and duplicate ids/keys, then unique fields.
import { PosternError, type Catalogue, type Entity, type EntityDef, type ValidationContext } from '@postern/shared'
import type { ErrorTree } from './error-tree.ts'
import type { Item, Path } from './flatten.ts'
import type { Model } from './model.ts'

/** Stands in for a dangling reference during the first pass, which reports schema errors only. */
const DANGLING = '00000000-0000-0000-0000-000000000000'

type Index = { byId: Map<string, Map<unknown, Item>>; byKey: Map<string, Map<unknown, Item>> }

function indexItems(items: Item[], model: Model): Index {
  const byId = new Map<string, Map<unknown, Item>>()
  const byKey = new Map<string, Map<unknown, Item>>()
  for (const def of model.order) {
    byId.set(def.name, new Map())
    byKey.set(def.name, new Map())
  }
  for (const item of items) {
    const ids = byId.get(item.def.name)!
    if (!ids.has(lower(item.input.id))) ids.set(lower(item.input.id), item)
    const ek = uniqueKey(item.def)
    const keys = byKey.get(item.def.name)!
    if (ek && typeof item.input[ek] === 'string' && !keys.has(item.input[ek])) keys.set(item.input[ek], item)
  }
  return { byId, byKey }
}

/** The endpoint key when it is unique on its own (Kong's `use_key`). */
const uniqueKey = (def: EntityDef) => (def.endpointKey && def.fields[def.endpointKey]?.unique ? def.endpointKey : undefined)

/** A reference as written (`my-service`, an id, `{ id }`, `{ name }`) → the entity it names, if the file has it. */
function resolve(ref: unknown, parent: EntityDef, index: Index): Item | undefined {
  if (isRecord(ref)) {
    if (ref.id !== undefined) return lookupId(ref.id, parent, index)
    const [key, value] = Object.entries(ref)[0] ?? []
    return key !== undefined && key === parent.endpointKey ? index.byKey.get(parent.name)?.get(value) : undefined
  }
  return index.byKey.get(parent.name)?.get(ref) ?? lookupId(ref, parent, index)
}

function lookupId(value: unknown, parent: EntityDef, index: Index): Item | undefined {
  return index.byId.get(parent.name)?.get(lower(value))
}

const lower = (v: unknown) => (typeof v === 'string' ? v.toLowerCase() : v)
const isRecord = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v)
const refText = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v))
const duplicate = (entity: string, key: string, value: unknown) => `uniqueness violation: '${entity}' entity with ${key} set to '${String(value)}' already declared`

/** Pass 1: every entity through its own declaration (defaults filled, plugin configs checked). */
function checkSchemas(items: Item[], model: Model, catalogue: Catalogue, index: Index, errors: ErrorTree) {
  const valid = new Map<Item, Entity>()
  const dangling = new Map<Item, { field: string; entity: string; ref: unknown }[]>()
  const byEntity = new Map<string, Entity[]>()
  const byId = new Map<string, Entity>()
  const ctx: ValidationContext = {
    plugins: catalogue.plugins as ValidationContext['plugins'],
    op: 'insert',
    find: (entity, id) => byId.get(`${entity}:${id}`),
    findAll: (entity, where) => (byEntity.get(entity) ?? []).filter((e) => Object.entries(where).every(([k, v]) => (e[k]?.id ?? e[k]) === ((v as any)?.id ?? v))),
  }
  // parents before children, so a plugin can see its route's protocols as Kong's plugins DAO does
  for (const def of model.order) {
    for (const item of items) {
      if (item.def !== def) continue
      const input = { ...item.input }
      for (const fk of def.foreignKeys) {
        const parent = model.byName.get(fk.entity)
        const ref = input[fk.field]
        if (!parent || ref === undefined || ref === null) continue
        const found = resolve(ref, parent, index)
        if (found) input[fk.field] = { id: found.input.id }
        else if (typeof ref === 'string' || isRecord(ref)) {
          input[fk.field] = { id: DANGLING }
          dangling.set(item, [...(dangling.get(item) ?? []), { field: fk.field, entity: parent.name, ref }])
        }
      }
      try {
        const e = def.validate(input, ctx)
        valid.set(item, e)
        if (!byEntity.has(def.name)) byEntity.set(def.name, [])
        byEntity.get(def.name)!.push(e)
        byId.set(`${def.name}:${e.id}`, e)
      } catch (err) {
        if (!(err instanceof PosternError) || !err.fields) throw err
        errors.merge(item.path, err.fields as Record<string, any>)
      }
    }
  }
  return { valid, dangling }
}

/** Where Kong files a reference error: top-level entities by endpoint key when they have one. */
function referencePath(item: Item): Path {
  if (item.path.length > 2) return item.path
  const ek = uniqueKey(item.def)
  const key = ek ? item.input[ek] : undefined
  return typeof key === 'string' ? [item.def.name, key] : item.path
}

/** Pass 2: duplicate endpoint keys and ids, then references to entities the file does not have. */
function checkReferences(items: Item[], dangling: ReturnType<typeof checkSchemas>['dangling'], valid: Map<Item, Entity>, errors: ErrorTree) {
  const seenKeys = new Map<string, Set<unknown>>()
  const seenIds = new Map<string, Set<unknown>>()
  for (const item of items) {
    const name = item.def.name
    const e = valid.get(item)!
    const ek = uniqueKey(item.def)
    let failed = false
    if (ek && e[ek] !== null && e[ek] !== undefined) {
      const keys = seenKeys.get(name) ?? seenKeys.set(name, new Set()).get(name)!
      if (keys.has(e[ek])) {
        errors.add(item.path, duplicate(name, ek, e[ek]))
        failed = true
      }
      keys.add(e[ek])
    }
    const ids = seenIds.get(name) ?? seenIds.set(name, new Set()).get(name)!
    if (!failed && ids.has(e.id)) errors.add(item.path, duplicate(name, 'primary key', e.id))
    ids.add(e.id)
  }
  for (const [item, refs] of dangling) {
    for (const r of [...refs].sort((a, b) => a.field.localeCompare(b.field)))
      errors.add(referencePath(item), `invalid reference '${r.field}: ${refText(r.ref)}' (no such entry in '${r.entity}')`)
  }
}

/** Pass 3: fields unique across the whole configuration (custom_id, key, ...) and plugin scopes. */
function checkUnique(model: Model, entities: Map<string, Entity[]>, errors: ErrorTree) {
  for (const def of model.order) {
    const list = entities.get(def.name) ?? []
    const at = (e: Entity) => [def.name, (def.endpointKey && typeof e[def.endpointKey] === 'string' ? e[def.endpointKey] : e.id) as string]
    for (const field of def.uniqueFields) {
      const seen = new Set<unknown>()
      for (const e of list) {
        const v = e[field]
        if (v === null || v === undefined) continue
        if (seen.has(v)) errors.add(at(e), duplicate(def.name, field, v))
        seen.add(v)
      }
    }
    if (!def.uniqueTogether) continue
    const seen = new Set<string>()
    for (const e of list) {
      const values = def.uniqueTogether.map((f) => (e[f] && typeof e[f] === 'object' ? e[f].id : e[f]) ?? null)
      const key = JSON.stringify(values)
      if (seen.has(key)) errors.add(at(e), duplicate(def.name, def.uniqueTogether.join(', '), values.map(String).join(', ')))
      seen.add(key)
    }
  }
}

/** Validate flattened items; returns entities by type in load order, or null with `errors` filled. */
export function validateItems(items: Item[], model: Model, catalogue: Catalogue, errors: ErrorTree): Map<string, Entity[]> | null {
  const index = indexItems(items, model)
  const { valid, dangling } = checkSchemas(items, model, catalogue, index, errors)
  if (!errors.empty) return null
  checkReferences(items, dangling, valid, errors)
  if (!errors.empty) return null
  const entities = new Map<string, Entity[]>()
  for (const def of model.order) entities.set(def.name, [])
  for (const item of items) entities.get(item.def.name)!.push(valid.get(item)!)
  checkUnique(model, entities, errors)
  return errors.empty ? entities : null
}
