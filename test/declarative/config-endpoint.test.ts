// POST /config on a DB-less gateway: the bodies Kong accepts, Kong's code-14 errors (by position, flattened),
// a running configuration that a bad one leaves untouched, and a broken file that stops start-up.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startEchoUpstream, type EchoUpstream } from '../fixtures/echo-upstream.ts'
import { startAdmin } from '../support/processes.ts'
import { removeConfigs, startDbless, writeConfig, type Dbless } from './support.ts'

let d: Dbless
let up: EchoUpstream
const good = () => `_format_version: "3.0"\nservices:\n- name: echo\n  url: ${up.url}\n  routes:\n  - name: r\n    paths: [/r]\n`

beforeAll(async () => {
  up = await startEchoUpstream()
  d = await startDbless({ file: writeConfig(good()) })
})
afterAll(async () => {
  await d?.stop()
  await up?.close()
  removeConfigs()
})

describe('POST /config bodies', () => {
  it('accepts a JSON object, a config field holding YAML, and a form field', async () => {
    const object = await d.admin.post('/config', { _format_version: '1.1', consumers: [{ username: 'in-json' }] })
    expect(object.status).toBe(201)
    const field = await d.admin.post('/config', { config: '_format_version: "1.1"\nconsumers:\n- username: in-field\n' })
    expect(field.status).toBe(201)
    const form = await d.admin.postForm('/config', { config: '{"_format_version":"3.0","consumers":[{"username":"in-form"}]}' })
    expect(form.status).toBe(201)
    expect((await d.admin.get('/consumers')).body.data.map((c: any) => c.username)).toEqual(['in-form'])
    expect((await d.load(good())).status).toBe(201)
  })

  it('answers 400 when given no configuration', async () => {
    const res = await d.admin.request('POST', '/config')
    expect(res.status).toBe(400)
    expect(res.body).toEqual({ message: 'expected a declarative configuration' })
  })

  it('answers 400 code 14 for text that is not an object', async () => {
    const res = await d.admin.post('/config', { config: 'bobby tables' })
    expect(res.status).toBe(400)
    expect(res.body).toEqual({
      code: 14,
      name: 'invalid declarative configuration',
      message: 'declarative config is invalid: {error="failed parsing declarative configuration: expected an object"}',
      fields: { error: 'failed parsing declarative configuration: expected an object' },
    })
  })
})

describe('POST /config validation errors', () => {
  it('names the field by position and leaves the running configuration untouched', async () => {
    const before = (await d.admin.get('/services/echo')).body
    const res = await d.admin.post('/config', { config: '_format_version: "1.1"\nservices:\n- port: -12\n' })
    expect(res.status).toBe(400)
    expect(res.body).toEqual({
      code: 14,
      name: 'invalid declarative configuration',
      message: 'declarative config is invalid: {services={{host="required field missing",port="value should be between 0 and 65535"}}}',
      fields: { services: [{ host: 'required field missing', port: 'value should be between 0 and 65535' }] },
    })
    expect((await d.admin.get('/services/echo')).body).toEqual(before)
    expect((await fetch(`${d.proxy}/r/x`)).status).toBe(200)
  })

  it('reports nested entities where they are written, an unknown plugin and duplicate names', async () => {
    const nested = await d.load(`_format_version: "3.0"\nservices:\n- name: a\n  host: a.test\n  routes:\n  - name: ok\n    paths: [/ok]\n  - name: bad\n    protocols: [tcp]\n    plugins:\n    - name: no-such-plugin\n`)
    expect(nested.status).toBe(400)
    expect(nested.body.fields).toEqual({
      services: [{ routes: [null, { '@entity': ["must set one of 'sources', 'destinations', 'snis' when 'protocols' is 'tcp', 'tls' or 'udp'"], plugins: [{ name: "plugin 'no-such-plugin' not enabled; add it to the 'plugins' configuration property" }] }] }],
    })
    const dup = await d.load(`_format_version: "3.0"\nservices:\n- name: a\n  host: a.test\n- name: a\n  host: b.test\n`)
    expect(dup.body.fields).toEqual({ services: [null, "uniqueness violation: 'services' entity with name set to 'a' already declared"] })
    expect(dup.body.message).toBe(`declarative config is invalid: {services={[2]="uniqueness violation: 'services' entity with name set to 'a' already declared"}}`)
  })

  it('reports a reference to an entity the file does not have under the referring entity', async () => {
    const res = await d.load(`_format_version: "3.0"\nroutes:\n- name: lost\n  paths: [/lost]\n  service: nowhere\n`)
    expect(res.status).toBe(400)
    expect(res.body.fields).toEqual({ routes: { lost: "invalid reference 'service: nowhere' (no such entry in 'services')" } })
  })

  it('adds flattened_errors with flatten_errors=1, one entry per failing entity', async () => {
    const res = await d.load(`_format_version: "3.0"\nextra: 1\nservices:\n- name: s\n  host: s.test\n  protocol: nope\n  tags: [t1]\n  routes:\n  - name: bad\n    protocols: [tcp]\n`, '?flatten_errors=1')
    expect(res.status).toBe(400)
    expect(res.body.fields).toEqual({ extra: 'unknown field' })
    expect(res.body.flattened_errors).toEqual([
      {
        entity_type: 'route', entity_name: 'bad', entity: { name: 'bad', protocols: ['tcp'] },
        errors: [{ type: 'entity', message: "must set one of 'sources', 'destinations', 'snis' when 'protocols' is 'tcp', 'tls' or 'udp'" }],
      },
      {
        entity_type: 'service', entity_name: 's', entity_tags: ['t1'], entity: { name: 's', host: 's.test', protocol: 'nope', tags: ['t1'] },
        errors: [{ type: 'field', field: 'protocol', message: 'expected one of: grpc, grpcs, http, https, tcp, tls, tls_passthrough, udp' }],
      },
    ])
  })
})

describe('DB-less admin API', () => {
  it('refuses entity writes with 405 but answers absent entities as Kong does', async () => {
    expect((await d.admin.post('/services/echo/routes', { paths: ['/y'] })).body).toEqual({ code: 12, name: 'operation unsupported', message: "cannot create 'routes' entities when not using a database" })
    expect((await d.admin.patch('/routes/r', { paths: ['/y'] })).status).toBe(405)
    expect((await d.admin.patch('/routes/absent', { paths: ['/y'] })).status).toBe(404)
    expect((await d.admin.delete('/routes/absent')).status).toBe(204)
    expect((await d.admin.delete('/routes/r')).status).toBe(405)
  })
})

describe('a broken file at start', () => {
  it('stops the admin with a non-zero exit and Kong’s report naming the entity and field', async () => {
    const file = writeConfig('_format_version: "2.1"\nservices:\n- name: fine\n  host: fine.test\n- name: broken\n  port: 99999\n')
    const err = await startAdmin({ env: { KONG_DATABASE: 'off', KONG_DECLARATIVE_CONFIG: file } }).then(
      async (a) => {
        await a.stop()
        return ''
      },
      (e: Error) => e.message,
    )
    expect(err).toMatch(/exited with [1-9]/)
    expect(err).toContain(`error parsing declarative config file ${file}:\nin 'services':\n  - in entry 2 of 'services':\n    in 'host': required field missing\n    in 'port': value should be between 0 and 65535`)
    expect(err).not.toMatch(/\n\s+at /)
  })
})
