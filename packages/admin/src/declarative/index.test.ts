// parseDeclarative against Kong's own declarative cases (15-off_spec.lua, 03-flatten_spec.lua).
import { beforeAll, describe, expect, it } from 'vitest'
import { loadCatalogue, type Catalogue } from '@postern/shared'
import { DeclarativeError, errorBody, parseDeclarative } from './index.ts'

let cat: Catalogue
beforeAll(async () => {
  cat = await loadCatalogue(['bundled'])
})

function fields(source: string | Record<string, unknown>, filename?: string): unknown {
  try {
    parseDeclarative(source, cat, filename)
  } catch (e) {
    if (e instanceof DeclarativeError) return e.fields
    throw e
  }
  throw new Error('expected the configuration to be refused')
}

describe('parseDeclarative', () => {
  it('flattens nested entities, fills parent references and defaults', () => {
    const c = parseDeclarative('_format_version: "3.0"\nservices:\n- name: s\n  url: http://up.test/p\n  routes:\n  - name: r\n    paths: [/r]\n    plugins:\n    - name: key-auth\n', cat)
    const [service] = c.entities.get('services')!
    const [route] = c.entities.get('routes')!
    const [plugin] = c.entities.get('plugins')!
    expect(service).toMatchObject({ host: 'up.test', path: '/p', port: 80, retries: 5 })
    expect(route.service).toEqual({ id: service.id })
    expect(plugin).toMatchObject({ route: { id: route.id }, service: null, config: { key_names: ['apikey'] } })
    expect(c.formatVersion).toBe('3.0')
    expect(c.transform).toBe(true)
  })

  it('resolves top-level references by endpoint key or id', () => {
    const c = parseDeclarative({ _format_version: '3.0', consumers: [{ username: 'bob' }], keyauth_credentials: [{ key: 'k', consumer: 'bob' }] }, cat)
    expect(c.entities.get('keyauth_credentials')![0].consumer).toEqual({ id: c.entities.get('consumers')![0].id })
  })

  it('requires a known _format_version and reports unknown top-level keys', () => {
    expect(fields({ services: [] })).toEqual({ _format_version: 'required field missing' })
    expect(fields({ _format_version: '4.0', wat: 1 })).toEqual({ _format_version: 'expected one of: 1.1, 2.1, 3.0', wat: 'unknown field' })
  })

  it('picks the format by file extension and refuses what is not an object', () => {
    expect(fields('_format_version: "3.0"', 'kong.json')).toEqual({ error: expect.stringMatching(/^failed parsing declarative configuration: /) })
    expect(fields('- a\n- b')).toEqual({ error: 'failed parsing declarative configuration: expected an object' })
  })

  it('reports duplicate primary keys by position', () => {
    const id = '0855b320-0dd2-547d-891d-601e9b38647f'
    expect(fields({ _format_version: '1.1', services: [{ id, name: 'foo', host: 'example.com' }, { id, name: 'bar', host: 'example.test' }] })).toEqual({
      services: [null, `uniqueness violation: 'services' entity with primary key set to '${id}' already declared`],
    })
  })

  it('reports non-key unique fields under the endpoint key', () => {
    expect(fields({ _format_version: '1.1', consumers: [{ username: 'foo', custom_id: 'conflict' }, { username: 'bar', custom_id: 'conflict' }] })).toEqual({
      consumers: { bar: "uniqueness violation: 'consumers' entity with custom_id set to 'conflict' already declared" },
    })
  })

  it('lists every dangling reference of an entity', () => {
    const body = fields({ _format_version: '1.1', plugins: [{ name: 'request-termination', service: 'svc1', consumer: 'my-consumer' }] })
    expect(body).toEqual({
      plugins: [["invalid reference 'consumer: my-consumer' (no such entry in 'consumers')", "invalid reference 'service: svc1' (no such entry in 'services')"]],
    })
  })

  it('refuses a nested child that names another parent', () => {
    expect(fields({ _format_version: '3.0', consumers: [{ username: 'a', keyauth_credentials: [{ consumer: 'b' }] }] })).toEqual({
      consumers: [{ keyauth_credentials: [{ consumer: 'value must be null' }] }],
    })
  })

  it("checks a plugin's protocols against its route's, as the admin does", () => {
    const f = fields({ _format_version: '3.0', services: [{ name: 's', host: 'h', routes: [{ name: 'r', protocols: ['https'], paths: ['/'], plugins: [{ name: 'key-auth', protocols: ['http'] }] }] }] })
    expect(f).toEqual({ services: [{ routes: [{ plugins: [{ protocols: "must match the associated route's protocols" }] }] }] })
  })

  it('keeps the top-level fields that cannot be flattened when flatten_errors is asked for', () => {
    try {
      parseDeclarative({ _format_version: '3.0', extra: 1, services: [{ name: 's', host: 'h', port: 'x' }] }, cat)
    } catch (e) {
      const body = errorBody(e as DeclarativeError, cat, true)
      expect(body.fields).toEqual({ extra: 'unknown field' })
      expect(body.message).toBe('declarative config is invalid: {extra="unknown field"}')
      expect(body.flattened_errors).toEqual([{ entity_type: 'service', entity_name: 's', entity: { name: 's', host: 'h', port: 'x' }, errors: [{ type: 'field', field: 'port', message: 'expected an integer' }] }])
      return
    }
    throw new Error('expected the configuration to be refused')
  })
})
