// Endpoints generated from the entity registry, as Kong's endpoints.lua does: collection, item by id or
// endpoint key, nested collection and item under each foreign parent, and the item's parent.
import type { Context, Hono } from 'hono'
import { isUuid, type Entity, type EntityDef } from '@postern/shared'
import { VERSION_HEADER, assertWritable, notFound, patchNotFound, readEntityBody, written, type AdminDeps } from './context.ts'
import { listEntities } from './listing.ts'

type Verb = 'get' | 'post' | 'put' | 'patch' | 'delete'
export type Handler = (c: Context) => Response | Promise<Response>
/** Path pattern → verb → handler. Overrides replace a verb before registration. */
export type EndpointTable = Map<string, Partial<Record<Verb, Handler>>>

const seg = (c: Context, name: string) => c.req.param(name)!

function identity(def: EntityDef, key: string): Record<string, unknown> {
  return isUuid(key) || !def.endpointKey ? { id: key.toLowerCase() } : { [def.endpointKey]: key }
}

function add(table: EndpointTable, path: string, verbs: Partial<Record<Verb, Handler>>) {
  table.set(path, { ...(table.get(path) ?? {}), ...verbs })
}

export function buildEntityEndpoints(deps: AdminDeps): EndpointTable {
  const table: EndpointTable = new Map()
  const { store, catalogue } = deps
  for (const def of catalogue.entities) {
    if (!def.adminApi) continue
    const base = `/${def.adminPath}`
    const item = `${base}/:key`
    const pluginName = (e?: Entity) => (def.name === 'plugins' ? e?.name : undefined)

    add(table, base, {
      get: (c) => listEntities(c, deps, def),
      post: async (c) => {
        assertWritable(deps, def, 'create')
        const body = await readEntityBody(c, deps, def)
        const { result, version } = await store.write(() => store.create(def, body))
        return written(c, version, result, 201)
      },
    })
    add(table, item, {
      get: async (c) => {
        const e = await store.lookup(def, seg(c, 'key'))
        if (!e) throw notFound()
        return c.json(e)
      },
      put: async (c) => {
        const key = seg(c, 'key')
        assertWritable(deps, def, 'upsert', isUuid(key) ? undefined : def.endpointKey)
        const existing = await store.lookup(def, key)
        const body = await readEntityBody(c, deps, def, pluginName(existing))
        const { result, version } = await store.write(() => store.upsert(def, existing, identity(def, key), body))
        return written(c, version, result)
      },
      patch: async (c) => {
        const key = seg(c, 'key')
        const existing = await store.lookup(def, key)
        if (!existing) throw patchNotFound(def, key)
        assertWritable(deps, def, 'update')
        const body = await readEntityBody(c, deps, def, pluginName(existing))
        const { result, version } = await store.write(() => store.update(def, existing, body))
        return written(c, version, result)
      },
      delete: async (c) => {
        const existing = await store.lookup(def, seg(c, 'key'))
        // Kong answers 204 when nothing existed; the version header still says which config this reflects
        if (!existing) {
          c.header(VERSION_HEADER, String(store.feed.published.version))
          return c.body(null, 204)
        }
        assertWritable(deps, def, 'remove')
        const { version } = await store.write(() => store.remove(def, existing))
        c.header(VERSION_HEADER, String(version))
        return c.body(null, 204)
      },
    })

    for (const fk of def.foreignKeys) {
      const parentDef = catalogue.entity(fk.entity)
      if (!parentDef) continue
      // the item's parent: /routes/{r}/service, /plugins/{p}/consumer, /key-auths/{k}/consumer
      add(table, `${item}/${fk.field}`, parentEndpoint(deps, def, parentDef, fk.field))
      // children of one parent: /services/{s}/routes, /consumers/{c}/key-auth
      const nested = `/${parentDef.adminPath}/:parent/${def.nestedPath ?? def.adminPath}`
      const loadParent = async (c: Context) => {
        const p = await store.lookup(parentDef, seg(c, 'parent'))
        if (!p) throw notFound()
        return p
      }
      // by id or endpoint key, or (entities with a nestedKey) by that field within this parent
      const findChild = async (c: Context, p: Entity) => {
        const key = seg(c, 'key')
        const e = def.nestedKey && !isUuid(key) ? (await store.findAll(def, { [fk.field]: { id: p.id }, [def.nestedKey]: key }))[0] : await store.lookup(def, key)
        return e && e[fk.field]?.id === p.id ? e : undefined
      }
      const loadChild = async (c: Context, p: Entity) => {
        const e = await findChild(c, p)
        if (!e) throw notFound()
        return e
      }
      add(table, nested, {
        get: async (c) => {
          const p = await loadParent(c)
          return listEntities(c, deps, def, { [fk.field]: { id: p.id } }, `/${parentDef.adminPath}/${seg(c, 'parent')}/${def.nestedPath ?? def.adminPath}`)
        },
        post: async (c) => {
          const p = await loadParent(c)
          assertWritable(deps, def, 'create')
          const body = await readEntityBody(c, deps, def)
          const { result, version } = await store.write(() => store.create(def, body, { [fk.field]: { id: p.id } }))
          return written(c, version, result, 201)
        },
      })
      add(table, `${nested}/:key`, {
        get: async (c) => c.json(await loadChild(c, await loadParent(c))),
        put: async (c) => {
          const p = await loadParent(c)
          const key = seg(c, 'key')
          const byName = !!def.nestedKey && !isUuid(key)
          assertWritable(deps, def, 'upsert', isUuid(key) ? undefined : (byName ? def.nestedKey : def.endpointKey))
          const existing = byName ? await findChild(c, p) : await store.lookup(def, key)
          const body = await readEntityBody(c, deps, def, pluginName(existing))
          // Kong's acl PUT: the name in the path fills the field when the body does not give it
          const ident = byName ? (body[def.nestedKey!] === undefined ? { [def.nestedKey!]: key } : {}) : identity(def, key)
          const { result, version } = await store.write(() => store.upsert(def, existing, ident, body, { [fk.field]: { id: p.id } }))
          return written(c, version, result)
        },
        patch: async (c) => {
          const existing = await loadChild(c, await loadParent(c))
          assertWritable(deps, def, 'update')
          const body = await readEntityBody(c, deps, def, pluginName(existing))
          const { result, version } = await store.write(() => store.update(def, existing, body))
          return written(c, version, result)
        },
        delete: async (c) => {
          const existing = await loadChild(c, await loadParent(c))
          assertWritable(deps, def, 'remove')
          const { version } = await store.write(() => store.remove(def, existing))
          c.header(VERSION_HEADER, String(version))
          return c.body(null, 204)
        },
      })
    }
  }
  return table
}

/** `/routes/{r}/service`: read, patch or replace the entity a foreign field points to. */
function parentEndpoint(deps: AdminDeps, def: EntityDef, parentDef: EntityDef, field: string): Partial<Record<Verb, Handler>> {
  const { store } = deps
  const load = async (c: Context) => {
    const child = await store.lookup(def, c.req.param('key')!)
    if (!child) throw notFound()
    return { child, parent: child[field] ? await store.findBy(parentDef, 'id', child[field].id) : undefined }
  }
  return {
    get: async (c) => {
      const { parent } = await load(c)
      if (!parent) throw notFound()
      return c.json(parent)
    },
    patch: async (c) => {
      const { parent } = await load(c)
      if (!parent) throw notFound()
      assertWritable(deps, parentDef, 'update')
      const body = await readEntityBody(c, deps, parentDef)
      const { result, version } = await store.write(() => store.update(parentDef, parent, body))
      return written(c, version, result)
    },
    put: async (c) => {
      const { child, parent } = await load(c)
      assertWritable(deps, parentDef, 'upsert')
      const body = await readEntityBody(c, deps, parentDef)
      const { result, version } = await store.write(async () => {
        const p = await store.upsert(parentDef, parent, parent ? { id: parent.id } : {}, body)
        if (!parent) await store.update(def, child, { [field]: { id: p.id } })
        return p
      })
      return written(c, version, result)
    },
    delete: async (c) => {
      const { parent } = await load(c)
      if (!parent) throw notFound()
      return c.json({ message: 'Method not allowed' }, 405)
    },
  }
}

/** Register the table on Hono, with 405 for known paths and Kong's OPTIONS answer. */
export function registerTable(app: Hono, table: EndpointTable): void {
  for (const [path, verbs] of table) {
    for (const [verb, handler] of Object.entries(verbs)) app.on(verb.toUpperCase(), path, handler!)
    const allowed = [...Object.keys(verbs).map((v) => v.toUpperCase()), 'OPTIONS', ...(verbs.get ? ['HEAD'] : [])].sort()
    app.options(path, (c) => {
      c.header('Allow', allowed.join(', '))
      c.header('Access-Control-Allow-Methods', allowed.join(', '))
      c.header('Access-Control-Allow-Headers', c.req.header('access-control-request-headers') ?? 'Content-Type')
      return c.body(null, 204)
    })
    // any other method, including tokens node's parser does not know (see unknown-method.ts)
    app.all(path, (c) => {
      c.header('Allow', allowed.join(', '))
      return c.json({ message: 'Method not allowed' }, 405)
    })
  }
}
