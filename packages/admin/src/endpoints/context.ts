// What every endpoint handler needs: the store, the catalogue, settings and a few shared helpers.
import type { Context } from 'hono'
import type { EventEmitter } from 'eventemitter3'
import { HttpError, PosternError, REVEAL_ONCE, isUuid, luaTable, type Catalogue, type EntityDef, type Settings } from '@postern/shared'
import type { Store } from '../store/store.ts'
import type { HealthReports } from '../cluster/health-reports.ts'
import type { HealthOverride } from '@postern/shared'
import { decodeBody } from '../body/decode.ts'
import { coerceEntity } from '../body/coerce.ts'

export interface AdminDeps {
  store: Store
  catalogue: Catalogue
  settings: Settings
  /** DB-less mode: entity writes answer 405 (Kong code 12). */
  readOnly: boolean
  nodeId: string
  startedAt: number
  /** Proxies connected on the cluster channel (for /status). */
  nodes: () => unknown[]
  /** The cluster channel: proxies' health reports and admin-set health (absent in unit tests). */
  cluster?: { health: HealthReports; postHealth(o: HealthOverride): void }
  /** The store's event bus (the audit trail listens to the events of each request). */
  bus?: EventEmitter
}

export const VERSION_HEADER = 'X-Postern-Config-Version'

export const notFound = () => new HttpError(404, 'Not found')

/** Read and coerce a write body for `def` (plugins: `config` with the named plugin's schema). */
export async function readEntityBody(c: Context, deps: AdminDeps, def: EntityDef, existingPluginName?: string): Promise<Record<string, unknown>> {
  const body = await decodeBody(c)
  if (body.kind !== 'form') return body.data
  let configSchema
  if (def.name === 'plugins') {
    const name = typeof body.data.name === 'string' ? body.data.name : existingPluginName
    configSchema = name ? deps.catalogue.plugins.get(name)?.schema : undefined
  }
  return coerceEntity(def.fields, body.data, configSchema)
}

/** Kong's 404 on PATCH of a missing entity is a full error object (code 6), keyed by id or endpoint key. */
export function patchNotFound(def: EntityDef, key: string): PosternError {
  const filter = isUuid(key) || !def.endpointKey ? { id: key.toLowerCase() } : { [def.endpointKey]: key }
  const what = 'id' in filter ? `primary key '${luaTable(filter)}'` : `'${luaTable(filter)}'`
  return new PosternError('NOT_FOUND', `could not find the entity with ${what}`, { fields: filter })
}

export function assertWritable(deps: AdminDeps, def: EntityDef, what: 'create' | 'update' | 'remove' | 'upsert', byKey?: string): void {
  if (!deps.readOnly) return
  const msg =
    what === 'create' ? `cannot create '${def.name}' entities when not using a database`
    : what === 'upsert' ? `cannot create or update '${def.name}' entities${byKey ? ` by '${byKey}'` : ''} when not using a database`
    : what === 'update' ? `cannot update '${def.name}' entities when not using a database`
    : `cannot remove '${def.name}' entities when not using a database`
  throw new PosternError('OPERATION_UNSUPPORTED', msg)
}

export function written(c: Context, version: number, body: unknown, status: 200 | 201 = 200) {
  c.header(VERSION_HEADER, String(version))
  const reveal = body && typeof body === 'object' ? (body as any)[REVEAL_ONCE] : undefined
  return c.json((reveal ? { ...(body as object), ...reveal } : body) as object, status)
}
