// /schemas/{entity} and /schemas/plugins/{name}: Kong's schema shape ({fields:[{name:{type,...}}]})
// rendered from our typedefs and the plugins' zod schemas; plus the matching /validate endpoints.
import type { Context, Hono } from 'hono'
import { HttpError, type Field } from '@postern/shared'
import { readEntityBody, type AdminDeps } from './context.ts'

const KIND_TYPE: Record<string, string> = {
  uuid: 'string', string: 'string', integer: 'integer', number: 'number', boolean: 'boolean', timestamp: 'integer',
  array: 'array', set: 'set', map: 'map', record: 'record', foreign: 'foreign', json: 'json',
}

function fieldSchema(f: Field): Record<string, unknown> {
  const out: Record<string, unknown> = { type: KIND_TYPE[f.kind] }
  if (f.kind === 'uuid') Object.assign(out, { uuid: true, auto: true })
  if (f.kind === 'timestamp') Object.assign(out, { timestamp: true, auto: true })
  if (f.required) out.required = true
  if (f.unique) out.unique = true
  if (f.default !== undefined) out.default = f.default
  if (f.foreign) out.reference = f.foreign.entity
  if (f.elem) out.elements = fieldSchema(f.elem)
  // Kong's one_of, from a string field declared with oneOf (a zod enum)
  const zdef = (f.zod as any)?._zod?.def
  if (zdef?.type === 'enum') out.one_of = Object.values(zdef.entries)
  return out
}

function unwrap(s: any): { s: any; def?: unknown; nullable: boolean } {
  let cur = s
  let dflt: unknown
  let nullable = false
  for (let i = 0; i < 20 && cur?._zod; i++) {
    const d = cur._zod.def
    if (d.type === 'default') {
      dflt = typeof d.defaultValue === 'function' ? d.defaultValue() : d.defaultValue
      cur = d.innerType
    } else if (d.type === 'prefault') cur = d.innerType // a record whose fields bring their own defaults
    else if (d.type === 'nullable' || d.type === 'optional') {
      nullable = true
      cur = d.innerType
    } else if (d.type === 'pipe') cur = d.in
    else break
  }
  return { s: cur, def: dflt, nullable }
}

/** Render a zod schema the way Kong renders a plugin config schema. */
export function zodSchema(schema: any): Record<string, unknown> {
  const { s, def, nullable } = unwrap(schema)
  const t: string = s?._zod?.def?.type
  const out: Record<string, unknown> = {}
  if (t === 'object') {
    out.type = 'record'
    out.fields = Object.entries(s._zod.def.shape).map(([k, v]) => ({ [k]: zodSchema(v) }))
  } else if (t === 'array') {
    out.type = 'array'
    out.elements = zodSchema(s._zod.def.element)
  } else if (t === 'enum') {
    out.type = 'string'
    out.one_of = Object.values(s._zod.def.entries)
  } else if (t === 'record') {
    out.type = 'map'
    out.values = zodSchema(s._zod.def.valueType)
  } else out.type = t === 'int' ? 'integer' : t ?? 'string'
  if (!nullable && def === undefined) out.required = true
  if (def !== undefined) out.default = def
  return out
}

export function registerSchemaEndpoints(app: Hono, deps: AdminDeps): void {
  const entitySchema = (name: string) => {
    const def = deps.catalogue.entity(name) ?? deps.catalogue.entities.find((e) => e.adminPath === name)
    if (!def) throw new HttpError(404, `No entity named '${name}'`)
    return def
  }
  const pluginDef = (name: string) => {
    const p = deps.catalogue.plugins.get(name)
    if (!p) throw new HttpError(404, `No plugin named '${name}'`)
    return p
  }
  app.get('/schemas/plugins/:name', (c) => {
    const p = pluginDef(c.req.param('name'))
    const plugins = deps.catalogue.entity('plugins')!
    const fields = Object.entries(plugins.fields).map(([k, f]) => ({ [k]: k === 'config' ? zodSchema(p.schema) : fieldSchema(f) }))
    return c.json({ fields, entity_checks: [] })
  })
  app.post('/schemas/plugins/validate', (c) => validate(c, deps, 'plugins'))
  app.post('/schemas/:entity/validate', (c) => validate(c, deps, entitySchema(c.req.param('entity')).name))
  app.get('/schemas/:entity', (c) => {
    const def = entitySchema(c.req.param('entity'))
    return c.json({ fields: Object.entries(def.fields).map(([k, f]) => ({ [k]: fieldSchema(f) })), entity_checks: [] })
  })
}

async function validate(c: Context, deps: AdminDeps, entity: string) {
  const def = deps.catalogue.entity(entity)!
  const body = await readEntityBody(c, deps, def)
  await def.validateAsync(body, deps.store.validation)
  return c.json({ message: 'schema validation successful' })
}
