// Nested kong.yml → one flat list of entity inputs: children lifted out of their parents with the parent
// reference filled in, `_comment`/`_ignore` dropped, and every entity given its id (Kong's or random).
import { newId, type EntityDef } from '@postern/shared'
import { deterministicId } from './ids.ts'
import type { ErrorTree } from './error-tree.ts'
import type { Model } from './model.ts'

export type Path = (string | number)[]

export interface Item {
  def: EntityDef
  /** The record as written, minus nested children, with `id` and (when nested) the parent reference set. */
  input: Record<string, unknown>
  /** Where it sits in the file, positions 1-based: `['services', 1, 'routes', 2]`. */
  path: Path
  /** Set when written inside a parent. */
  parent?: { field: string; def: EntityDef; input: Record<string, unknown> }
}

export const META_KEYS = ['_format_version', '_transform', '_comment', '_ignore']

const isRecord = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v)

/** Does a child's explicit parent reference name the parent it is written in (by id or endpoint key)? */
function namesParent(ref: unknown, parentDef: EntityDef, parent: Record<string, unknown>): boolean {
  const value = isRecord(ref) ? ref.id : ref
  if (value === parent.id) return true
  return !!parentDef.endpointKey && value === parent[parentDef.endpointKey] && value !== undefined
}

/** Flatten the document's entity arrays; structural problems go to `errors` at their position. */
export function flattenDocument(doc: Record<string, unknown>, model: Model, errors: ErrorTree): Item[] {
  const items: Item[] = []
  const walk = (list: unknown, def: EntityDef, path: Path, parent?: Item, link?: string) => {
    if (!Array.isArray(list)) return errors.add(path, 'expected an array')
    list.forEach((record, i) => {
      const at = [...path, i + 1]
      if (!isRecord(record)) return errors.add(at, 'expected a record')
      const input: Record<string, unknown> = { ...record }
      delete input._comment
      delete input._ignore
      const nested: [EntityDef, string, unknown][] = []
      for (const { def: child, field } of model.children.get(def.name) ?? []) {
        if (!Object.hasOwn(input, child.name)) continue
        nested.push([child, field, input[child.name]])
        delete input[child.name]
      }
      // the id comes first: Kong builds a nested child's cache key before the parent reference is set
      if (input.id === undefined) input.id = deterministicId(def, input, link ? { field: link, id: parent!.input.id } : undefined) ?? newId()
      if (parent && link) {
        const given = input[link]
        if (given !== undefined && given !== null && !namesParent(given, parent.def, parent.input)) errors.add([...at, link], 'value must be null')
        input[link] = { id: parent.input.id }
      }
      const item: Item = { def, input, path: at, parent: parent && link ? { field: link, def: parent.def, input: parent.input } : undefined }
      items.push(item)
      for (const [child, field, value] of nested) walk(value, child, [...at, child.name], item, field)
    })
  }
  for (const [key, value] of Object.entries(doc)) {
    if (META_KEYS.includes(key)) continue
    const def = model.byName.get(key)
    if (!def) errors.add([key], 'unknown field')
    else walk(value, def, [key])
  }
  return items
}
