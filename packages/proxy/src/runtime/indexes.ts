// Lookup indexes over one configuration's frozen tables (`keyauth_credentials` by key, `acls` by consumer,
// consumers by username), built on first use. A table's Map is replaced whenever it changes (ConfigState
// copies on write), so an index over an unchanged table is carried over to the next configuration: a
// change to a route, or an oauth2 token minted anywhere (which advances the version), no longer makes the
// next key-auth request re-index 10,000 credentials.
import type { Entity } from '@postern/shared'

type Table = Map<string, Entity>
const EMPTY: readonly Entity[] = Object.freeze([])

export class TableIndexes {
  /** entity → field → value → row (unique fields); nested maps, so a lookup builds no key string. */
  private unique = new Map<string, Map<string, Map<unknown, Entity>>>()
  /** entity → field → value → rows (non-unique fields; a foreign field is keyed by its id). */
  private multi = new Map<string, Map<string, Map<unknown, Entity[]>>>()

  constructor(private readonly table: (name: string) => Table) {}

  /** Take over `previous`'s indexes of the tables that did not change between the two configurations. */
  carryOver(previous: TableIndexes): void {
    for (const [entity, byField] of previous.unique) if (previous.table(entity) === this.table(entity)) this.unique.set(entity, byField)
    for (const [entity, byField] of previous.multi) if (previous.table(entity) === this.table(entity)) this.multi.set(entity, byField)
  }

  find(entity: string, field: string, value: unknown): Entity | undefined {
    let byField = this.unique.get(entity)
    if (!byField) this.unique.set(entity, (byField = new Map()))
    let idx = byField.get(field)
    if (!idx) {
      idx = new Map()
      for (const row of this.table(entity).values()) idx.set(row[field], row)
      byField.set(field, idx)
    }
    return idx.get(value)
  }

  filter(entity: string, field: string, value: unknown): readonly Entity[] {
    let byField = this.multi.get(entity)
    if (!byField) this.multi.set(entity, (byField = new Map()))
    let idx = byField.get(field)
    if (!idx) {
      idx = new Map()
      for (const row of this.table(entity).values()) {
        const v = row[field]
        const k = v !== null && typeof v === 'object' ? v.id : v
        let list = idx.get(k)
        if (!list) idx.set(k, (list = []))
        list.push(row)
      }
      byField.set(field, idx)
    }
    return idx.get(value) ?? EMPTY
  }
}
