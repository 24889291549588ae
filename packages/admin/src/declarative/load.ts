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

/**
 * Replace the whole configuration with the smallest change: rows absent from the new configuration are
 * removed, changed rows replaced, new rows created, and identical rows left alone — so proxies get events
 * for what changed only. New and changed rows go first (parents before children), stale rows last
 * (children before parents), so kept children never point at a removed parent. Should the diff trip a
 * check mid-way (two kept rows swapping names), the transaction rolls back and the configuration is
 * replaced wholesale instead: everything removed, then everything created.
 */
export async function replaceAll(store: Store, catalogue: Catalogue, config: DeclarativeConfig): Promise<{ loaded: Loaded; version: number }> {
  try {
    return await replaceWith(store, catalogue, config, true)
  } catch (e) {
    if (!(e instanceof PosternError)) throw e
  }
  try {
    return await replaceWith(store, catalogue, config, false)
  } catch (e) {
    return asDeclarative(e)
  }
}

const VOLATILE = new Set(['created_at', 'updated_at'])

function sameEntity(a: Entity, b: Entity): boolean {
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (VOLATILE.has(k)) continue
    if (JSON.stringify(a[k] ?? null) !== JSON.stringify(b[k] ?? null)) return false
  }
  return true
}

async function replaceWith(store: Store, catalogue: Catalogue, config: DeclarativeConfig, diff: boolean): Promise<{ loaded: Loaded; version: number }> {
  const { order } = modelOf(catalogue)
  const { result, version } = await store.write(async () => {
    const removeStale = async () => {
      // children first, so no removal cascades or trips a restricted foreign key
      for (const def of [...order].reverse()) {
        const keep = diff ? new Set((config.entities.get(def.name) ?? []).map((e) => e.id)) : new Set<string>()
        for (const e of await store.findAll(def)) if (!keep.has(e.id) && (await store.findBy(def, 'id', e.id))) await store.remove(def, e)
      }
    }
    if (!diff) await removeStale()
    const loaded: Loaded = {}
    for (const def of order) {
      const list = config.entities.get(def.name) ?? []
      if (!list.length) continue
      const byId: Record<string, Entity> = (loaded[def.name] = {})
      for (const e of list) {
        const existing = diff ? await store.findBy(def, 'id', e.id) : undefined
        if (!existing) byId[e.id] = await store.create(def, e)
        else {
          const candidate = await def.validateAsync({ ...e }, store.validation)
          byId[e.id] = sameEntity(candidate, existing) ? existing : await store.upsert(def, existing, { id: e.id }, e)
        }
      }
    }
    if (diff) await removeStale()
    return loaded
  })
  return { loaded: result, version }
}

/** Upsert every entity by id, leaving the others alone (Kong's load_into_db). */
export async function importInto(store: Store, catalogue: Catalogue, config: DeclarativeConfig): Promise<{ count: number; version: number }> {
  const { order } = modelOf(catalogue)
  try {
    const { result, version } = await store.write(async () => {
      let count = 0
      for (const def of order) {
        for (const e of config.entities.get(def.name) ?? []) {
          await store.upsert(def, await store.findBy(def, 'id', e.id), { id: e.id }, e)
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
