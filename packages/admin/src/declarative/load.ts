// Putting a validated configuration into the store: replace everything (DB-less start and POST /config) or
// upsert by id (`config db_import`), each in one transaction, so proxies get one batch of change events and
// switch from the old configuration to the new one in one step.
import { readFileSync } from 'node:fs'
import { PosternError, type Catalogue, type Entity } from '@postern/shared'
import type { Store } from '../store/store.ts'
import { DeclarativeError, errorReport, modelOf, parseDeclarative, type DeclarativeConfig } from './index.ts'

export type Loaded = Record<string, Record<string, Entity>>

/** Store errors the validation should have caught first; report them as code 14 rather than as a 500. */
function asDeclarative(e: unknown): never {
  if (e instanceof PosternError) throw new DeclarativeError({ error: e.message })
  throw e
}

/** Replace the whole configuration. Returns the loaded entities keyed by type then id, and the new version. */
export function replaceAll(store: Store, catalogue: Catalogue, config: DeclarativeConfig): { loaded: Loaded; version: number } {
  const { order } = modelOf(catalogue)
  try {
    const { result, version } = store.write(() => {
      // children first, so no removal cascades or trips a restricted foreign key
      for (const def of [...order].reverse()) for (const e of store.findAll(def)) store.remove(def, e)
      const loaded: Loaded = {}
      for (const def of order) {
        const list = config.entities.get(def.name) ?? []
        if (!list.length) continue
        const byId: Record<string, Entity> = (loaded[def.name] = {})
        for (const e of list) byId[e.id] = store.create(def, e)
      }
      return loaded
    })
    return { loaded: result, version }
  } catch (e) {
    return asDeclarative(e)
  }
}

/** Upsert every entity by id, leaving the others alone (Kong's load_into_db). */
export function importInto(store: Store, catalogue: Catalogue, config: DeclarativeConfig): { count: number; version: number } {
  const { order } = modelOf(catalogue)
  try {
    const { result, version } = store.write(() => {
      let count = 0
      for (const def of order) {
        for (const e of config.entities.get(def.name) ?? []) {
          store.upsert(def, store.findBy(def, 'id', e.id), { id: e.id }, e)
          count++
        }
      }
      return count
    })
    return { count: result, version }
  } catch (e) {
    return asDeclarative(e)
  }
}

/** A broken declarative file at start: Kong's report, printed as is (a stack trace would only hide it). */
export class DeclarativeStartError extends Error {
  readonly code = 'POSTERN_DECLARATIVE_START'
  constructor(message: string) {
    super(message)
    this.stack = message
  }
}

/** Parse a declarative file; throws a DeclarativeStartError with Kong's wording and report. */
export function readDeclarativeFile(path: string, catalogue: Catalogue): DeclarativeConfig {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (e) {
    throw new DeclarativeStartError(`error parsing declarative config file ${path}:\n${(e as Error).message}`)
  }
  try {
    return parseDeclarative(text, catalogue, path)
  } catch (e) {
    if (e instanceof DeclarativeError) throw new DeclarativeStartError(`error parsing declarative config file ${path}:\n${errorReport(e)}`)
    throw e
  }
}
