// Which entities a kong.yml holds, in Kong's load order, and where each may be nested (declarative_config.lua).
import type { Catalogue, EntityDef } from '@postern/shared'
import { CORE_ENTITIES } from '@postern/shared/entities/index.ts'

export interface Nesting {
  def: EntityDef
  /** The child's foreign field that the nesting fills in (`service` for `services[].routes[]`). */
  field: string
}

export interface Model {
  /** Declarative entities, parents before children. */
  order: EntityDef[]
  byName: Map<string, EntityDef>
  /** Children that may be written inside a parent, keyed by the parent's name. */
  children: Map<string, Nesting[]>
}

/** oauth2 tokens are runtime data, yet Kong lets a DB-less file preload them (its nodes cannot issue any). */
const PRELOADABLE = new Set(['oauth2_tokens'])

export const isDeclarative = (def: EntityDef) => def.exportable || PRELOADABLE.has(def.name)

export function buildModel(catalogue: Catalogue): Model {
  const candidates = catalogue.entities.filter(isDeclarative)
  const byName = new Map(candidates.map((d) => [d.name, d]))
  const core = new Set(CORE_ENTITIES.map((d) => d.name))
  // Kong's topological_sort: core entities first, each group by name, every parent before its children
  const sorted = [...candidates].sort((a, b) => Number(core.has(b.name)) - Number(core.has(a.name)) || a.name.localeCompare(b.name))
  const order: EntityDef[] = []
  const visit = (def: EntityDef, path: Set<string>) => {
    if (order.includes(def) || path.has(def.name)) return
    path.add(def.name)
    for (const fk of def.foreignKeys) {
      const parent = byName.get(fk.entity)
      if (parent && parent !== def) visit(parent, path)
    }
    order.push(def)
  }
  for (const def of sorted) visit(def, new Set())

  const children = new Map<string, Nesting[]>()
  for (const def of order) {
    for (const fk of def.foreignKeys) {
      const parent = byName.get(fk.entity)
      // a parent field of the same name wins over nesting (Kong checks the parent schema first)
      if (!parent || Object.hasOwn(parent.fields, def.name)) continue
      if (!children.has(parent.name)) children.set(parent.name, [])
      children.get(parent.name)!.push({ def, field: fk.field })
    }
  }
  return { order, byName, children }
}
