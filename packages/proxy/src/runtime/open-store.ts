// Opens the proxy's runtime-data store (PdkStore) on first use: the SQLite store's modules (better-sqlite3,
// drizzle) cost ~150 ms at start, and most configurations never touch the store (only oauth2 tokens and
// codes, and the cluster rate-limiting policy, do). Postgres connects on first use the same way.
import type { Catalogue, Entity, PdkStore, PdkStoreWriteOptions, Settings } from '@postern/shared'
import type { RuntimeStoreOptions } from './store.ts'

export type OpenRuntimeStore = PdkStore & { close(): void | Promise<void> }

/**
 * The configured Postgres database (`KONG_DATABASE=postgres`), else the SQLite file `POSTERN_STORE_PATH`, by
 * default `<prefix>/postern.db` (the admin's file on a shared prefix). Opened when a plugin first calls it.
 */
export function openRuntimeStore(settings: Settings, catalogue: Catalogue, opts: RuntimeStoreOptions = {}): OpenRuntimeStore {
  return new LazyStore(async () => {
    if (settings.database === 'postgres') {
      const { PgRuntimeStore } = await import('./pg-store.ts')
      return new PgRuntimeStore(settings.pg, catalogue, opts)
    }
    const { RuntimeStore } = await import('./store.ts')
    return new RuntimeStore(settings.storePath, catalogue, opts)
  })
}

class LazyStore implements OpenRuntimeStore {
  /** Set once open: calls then go straight to it, without an extra promise. */
  private store: OpenRuntimeStore | undefined
  private opening: Promise<OpenRuntimeStore> | undefined

  constructor(private readonly create: () => Promise<OpenRuntimeStore>) {}

  private open(): Promise<OpenRuntimeStore> {
    // a failed open (bad path, database down) is retried by the next call rather than remembered
    return (this.opening ??= this.create().then(
      (s) => (this.store = s),
      (e) => {
        this.opening = undefined
        throw e
      },
    ))
  }

  insert(entity: string, row: Record<string, unknown>, opts?: PdkStoreWriteOptions): Promise<Entity> {
    return this.store ? this.store.insert(entity, row, opts) : this.open().then((s) => s.insert(entity, row, opts))
  }

  findOne(entity: string, where: Record<string, unknown>): Promise<Entity | undefined> {
    return this.store ? this.store.findOne(entity, where) : this.open().then((s) => s.findOne(entity, where))
  }

  update(entity: string, where: Record<string, unknown>, patch: Record<string, unknown>, opts?: PdkStoreWriteOptions): Promise<number> {
    return this.store ? this.store.update(entity, where, patch, opts) : this.open().then((s) => s.update(entity, where, patch, opts))
  }

  delete(entity: string, id: string): Promise<void> {
    return this.store ? this.store.delete(entity, id) : this.open().then((s) => s.delete(entity, id))
  }

  deleteWhere(entity: string, where: Record<string, unknown>): Promise<number> {
    return this.store ? this.store.deleteWhere(entity, where) : this.open().then((s) => s.deleteWhere(entity, where))
  }

  incr(entity: string, key: Record<string, unknown>, field: string, by: number, opts?: PdkStoreWriteOptions): Promise<number> {
    return this.store ? this.store.incr(entity, key, field, by, opts) : this.open().then((s) => s.incr(entity, key, field, by, opts))
  }

  async close(): Promise<void> {
    const s = this.store ?? (await this.opening?.catch(() => undefined))
    await s?.close()
  }
}
