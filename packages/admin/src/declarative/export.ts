// The running configuration as kong.yml, the way Kong's export_from_db writes it: `_format_version: "3.0"`,
// `_transform: false` (secrets are already in their stored form), one flat array per entity type in load
// order, foreign keys as plain ids, unset fields as null. Loading it back gives the same entities.
import { stringify } from 'yaml'
import type { Catalogue, Entity, EntityDef } from '@postern/shared'
import type { Store } from '../store/store.ts'
import { modelOf } from './index.ts'

function exportRow(def: EntityDef, e: Entity): Record<string, unknown> {
  const row: Record<string, unknown> = {}
  for (const [name, f] of Object.entries(def.fields)) {
    const v = e[name]
    row[name] = f.kind === 'foreign' ? (v?.id ?? null) : (v ?? null)
  }
  return row
}

/** Only exportable entities: oauth2 tokens and codes are runtime data, not configuration. */
export function exportDocument(entities: Record<string, Entity[]>, catalogue: Catalogue): Record<string, unknown> {
  const doc: Record<string, unknown> = { _format_version: '3.0', _transform: false }
  for (const def of modelOf(catalogue).order) {
    if (!def.exportable) continue
    const rows = [...(entities[def.name] ?? [])]
    // stable output for diffs: rows by creation time, then id
    rows.sort((a, b) => (a.created_at ?? 0) - (b.created_at ?? 0) || String(a.id).localeCompare(String(b.id)))
    if (rows.length) doc[def.name] = rows.map((e) => exportRow(def, e))
  }
  return doc
}

export async function exportYaml(store: Store, catalogue: Catalogue): Promise<string> {
  // read in one transaction so the file is one consistent version even while the admin writes
  const doc = exportDocument((await store.snapshot()).entities, catalogue)
  return stringify(doc, { lineWidth: 0, aliasDuplicateObjects: false })
}
