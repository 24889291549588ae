// The proxy's copy of the configuration: entity rows by id at one version, updated by snapshots and
// ordered change events. Immutable RuntimeConfigs are built from it.
import type { ChangeEvent, Entity, Snapshot } from '@postern/shared'

export const EMPTY_HASH = '0'.repeat(32)

export class ConfigState {
  /**
   * @param runtimeOnly entities the proxy must not keep (oauth2 tokens and codes live in the shared store):
   * their events still advance the version, which rebuilds the runtime and drops per-instance caches, but
   * their rows are neither held in memory nor written to config-cache.json.
   */
  constructor(private runtimeOnly: ReadonlySet<string> = new Set()) {}

  version = 0
  hash = EMPTY_HASH
  readonly tables = new Map<string, Map<string, Entity>>()
  /** Tables handed to a RuntimeConfig: copied before the next change (copy-on-write, per table). */
  private frozen = new WeakSet<Map<string, Entity>>()

  table(name: string): Map<string, Entity> {
    let t = this.tables.get(name)
    if (!t) this.tables.set(name, (t = new Map()))
    return t
  }

  /** A table about to change: a private copy if a RuntimeConfig still reads the current one. */
  private writable(name: string): Map<string, Entity> {
    const t = this.table(name)
    if (!this.frozen.has(t)) return t
    const copy = new Map(t)
    this.tables.set(name, copy)
    return copy
  }

  /** Ids changed per entity since the last freeze; `null` after a snapshot (everything may have changed). */
  private changed: Map<string, Set<string>> | null = new Map()

  /**
   * The current tables, frozen (later changes copy the tables they touch instead of mutating these), and
   * what changed since the previous freeze, so a rebuild can touch only that.
   */
  freeze(): { tables: Map<string, Map<string, Entity>>; changed: Map<string, Set<string>> | null } {
    for (const t of this.tables.values()) this.frozen.add(t)
    const changed = this.changed
    this.changed = new Map()
    return { tables: new Map(this.tables), changed }
  }

  load(s: Snapshot): void {
    this.changed = null
    this.tables.clear()
    for (const [name, rows] of Object.entries(s.entities)) {
      const t = this.writable(name)
      for (const r of rows) t.set(r.id, r)
    }
    this.version = s.version
    this.hash = s.hash
  }

  /** Apply events in order; returns false when a gap shows we missed something (resync needed). */
  apply(events: ChangeEvent[]): boolean {
    for (const e of events) {
      if (e.version <= this.version) continue
      if (e.version !== this.version + 1) return false
      if (this.runtimeOnly.has(e.entity)) {
        this.version = e.version
        this.hash = e.hash
        continue
      }
      const t = this.writable(e.entity)
      if (this.changed) {
        let ids = this.changed.get(e.entity)
        if (!ids) this.changed.set(e.entity, (ids = new Set()))
        ids.add(e.id)
      }
      if (e.op === 'delete') t.delete(e.id)
      else t.set(e.id, e.payload as Entity)
      this.version = e.version
      this.hash = e.hash
    }
    return true
  }

  toSnapshot(): Snapshot {
    const entities: Record<string, Entity[]> = {}
    for (const [name, t] of this.tables) entities[name] = [...t.values()]
    return { version: this.version, hash: this.hash, entities }
  }
}
