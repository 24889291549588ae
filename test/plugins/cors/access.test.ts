// cors end to end: preflights answered by the gateway (before auth plugins), headers on proxied, plugin-made
// and gateway-error responses, Vary rules, preflight_continue, scopes and admin errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startPluginGateway, type PluginGateway } from '../../support/plugin-gateway.ts'

const DEFAULT_METHODS = 'GET,HEAD,PUT,PATCH,POST,DELETE,OPTIONS,TRACE,CONNECT'
let g: PluginGateway
const preflight = (path: string, headers: Record<string, string> = {}) =>
  g.proxy(path, { method: 'OPTIONS', headers: { origin: 'http://app.test', 'access-control-request-method': 'POST', ...headers } })

beforeAll(async () => {
  g = await startPluginGateway()
  const { w, admin } = g
  await w(admin.post('/services', { name: 'svc', url: g.up.url }))
  await w(admin.post('/services', { name: 'other', url: g.up.url }))
  await w(admin.post('/services', { name: 'dead', url: 'http://127.0.0.1:1' }))
  for (const [name, svc] of [['default', 'svc'], ['options', 'svc'], ['list', 'svc'], ['continue', 'svc'], ['auth', 'svc'], ['svc-scope', 'other'], ['plain', 'svc'], ['down', 'dead']])
    await w(admin.post(`/services/${svc}/routes`, { name, paths: [`/${name}`] }))
  await w(admin.post('/routes/default/plugins', { name: 'cors' }))
  await w(admin.post('/routes/options/plugins', { name: 'cors', config: { origins: ['example.test'], methods: ['GET', 'POST'], headers: ['x-a', 'x-b'], exposed_headers: ['x-auth-token'], max_age: 23, credentials: true, private_network: true } }))
  await w(admin.post('/routes/list/plugins', { name: 'cors', config: { origins: ['http://app.test', '(.*\\.)?trusted\\.test'] } }))
  await w(admin.post('/routes/continue/plugins', { name: 'cors', config: { preflight_continue: true } }))
  await w(admin.post('/routes/auth/plugins', { name: 'cors', config: { origins: ['http://app.test'] } }))
  await w(admin.post('/routes/auth/plugins', { name: 'key-auth' }))
  await w(admin.post('/routes/down/plugins', { name: 'cors', config: { origins: ['example.test'] } }))
  await w(admin.post('/services/other/plugins', { name: 'cors', config: { origins: ['http://svc.test'] } }))
  await w(admin.post('/plugins', { name: 'cors', config: { origins: ['http://global.test'] } }))
  await g.sync()
})
afterAll(async () => {
  await g?.stop()
})

describe('cors preflight', () => {
  it('is answered by the gateway with Kong defaults', async () => {
    const r = await preflight('/default')
    expect(r.status).toBe(200)
    expect(r.headers['content-length']).toBe('0')
    expect(r.text).toBe('')
    expect(r.headers['access-control-allow-origin']).toBe('*')
    expect(r.headers['access-control-allow-methods']).toBe(DEFAULT_METHODS)
    for (const h of ['access-control-allow-headers', 'access-control-expose-headers', 'access-control-allow-credentials', 'access-control-max-age', 'vary'])
      expect(r.headers[h], h).toBeUndefined()
    expect(g.up.requests.some((q) => q.method === 'OPTIONS' && q.url === '/default')).toBe(false)
  })

  it('applies every config option', async () => {
    const r = await preflight('/options', { 'access-control-request-private-network': 'true' })
    expect(r.status).toBe(200)
    expect(r.headers['access-control-allow-origin']).toBe('example.test')
    expect(r.headers['access-control-allow-methods']).toBe('GET,POST')
    expect(r.headers['access-control-allow-headers']).toBe('x-a,x-b')
    expect(r.headers['access-control-max-age']).toBe('23')
    expect(r.headers['access-control-allow-credentials']).toBe('true')
    expect(r.headers['access-control-allow-private-network']).toBe('true')
    expect(r.headers.vary).toBe('Origin')
    expect(r.headers['access-control-expose-headers']).toBeUndefined()
  })

  it('echoes requested headers, and matches origins exactly or by regex on the host', async () => {
    const r = await preflight('/list', { 'access-control-request-headers': 'x-one,x-two' })
    expect(r.headers['access-control-allow-origin']).toBe('http://app.test')
    expect(r.headers['access-control-allow-headers']).toBe('x-one,x-two')
    expect((await preflight('/list', { origin: 'https://api.trusted.test:8443' })).headers['access-control-allow-origin']).toBe('https://api.trusted.test:8443')
    const bad = await preflight('/list', { origin: 'http://trusted.test.evil.test' })
    expect(bad.status).toBe(200)
    expect(bad.headers['access-control-allow-origin']).toBeUndefined()
    expect(bad.headers.vary).toBe('Origin')
  })

  it('is not blocked by an auth plugin of lower priority', async () => {
    const r = await preflight('/auth')
    expect(r.status).toBe(200)
    expect(r.headers['access-control-allow-origin']).toBe('http://app.test')
    // an actual request still needs the key; the 401 carries the CORS headers
    const denied = await g.proxy('/auth', { headers: { origin: 'http://app.test' } })
    expect(denied.status).toBe(401)
    expect(denied.headers['access-control-allow-origin']).toBe('http://app.test')
    expect(denied.headers.vary).toBe('Origin')
  })

  it('goes to the upstream with preflight_continue, without CORS headers', async () => {
    const r = await preflight('/continue')
    expect(r.status).toBe(200)
    expect(r.body.method).toBe('OPTIONS')
    expect(r.headers['access-control-allow-origin']).toBeUndefined()
  })

  it('leaves a non-preflight OPTIONS to the upstream and adds headers', async () => {
    const r = await g.proxy('/default', { method: 'OPTIONS', headers: { origin: 'http://app.test' } })
    expect(r.body.method).toBe('OPTIONS')
    expect(r.headers['access-control-allow-origin']).toBe('*')
    expect(r.headers['access-control-allow-methods']).toBeUndefined()
  })
})

describe('cors on other responses', () => {
  it('adds the origin, exposed headers and credentials, and appends Vary to the upstream one', async () => {
    const r = await g.proxy('/options?response_header=Vary:Accept-Encoding', { headers: { origin: 'http://app.test' } })
    expect(r.status).toBe(200)
    expect(r.headers['access-control-allow-origin']).toBe('example.test')
    expect(r.headers['access-control-expose-headers']).toBe('x-auth-token')
    expect(r.headers['access-control-allow-credentials']).toBe('true')
    expect(r.headers.vary).toBe('Accept-Encoding, Origin')
    for (const h of ['access-control-allow-methods', 'access-control-allow-headers', 'access-control-max-age']) expect(r.headers[h], h).toBeUndefined()
  })

  it('sends `*` without Vary by default, with or without Origin', async () => {
    for (const headers of [{}, { origin: 'http://x.test' }] as Record<string, string>[]) {
      const r = await g.proxy('/default', { headers })
      expect(r.headers['access-control-allow-origin']).toBe('*')
      expect(r.headers.vary).toBeUndefined()
    }
  })

  it('sends no origin for one that does not match', async () => {
    const r = await g.proxy('/list', { headers: { origin: 'http://evil.test' } })
    expect(r.status).toBe(200)
    expect(r.headers['access-control-allow-origin']).toBeUndefined()
  })

  it('adds headers to the gateway answer when the upstream is down', async () => {
    const r = await g.proxy('/down', { headers: { origin: 'http://app.test' } })
    expect(r.status).toBe(502)
    expect(r.headers['access-control-allow-origin']).toBe('example.test')
    expect(r.headers.vary).toBe('Origin')
  })

  it('applies on a service and globally', async () => {
    expect((await preflight('/svc-scope', { origin: 'http://svc.test' })).headers['access-control-allow-origin']).toBe('http://svc.test')
    expect((await preflight('/plain', { origin: 'http://global.test' })).headers['access-control-allow-origin']).toBe('http://global.test')
  })
})

describe('cors admin', () => {
  it('cannot be scoped to a consumer and rejects bad origins and methods with Kong fields', async () => {
    await g.w(g.admin.post('/consumers', { username: 'dave' }))
    expect((await g.admin.post('/consumers/dave/plugins', { name: 'cors' })).body.fields).toEqual({ consumer: 'value must be null' })
    const r = await g.admin.post('/routes/plain/plugins', { name: 'cors', config: { origins: ['ok.test', 'invalid_**regex'], methods: ['FAKE'] } })
    expect(r.status).toBe(400)
    expect(r.body.fields).toEqual({ config: { origins: [null, "'invalid_**regex' is not a valid regex"], methods: ['expected one of: GET, HEAD, PUT, PATCH, POST, DELETE, OPTIONS, TRACE, CONNECT'] } })
  })

  it('returns Kong defaults and is described at /schemas/plugins/cors', async () => {
    const route = (await g.admin.get('/routes/default')).body
    const p = (await g.admin.get(`/routes/${route.id}/plugins`)).body.data[0]
    expect(p.config).toEqual({ origins: null, headers: null, exposed_headers: null, methods: DEFAULT_METHODS.split(','), max_age: null, credentials: false, private_network: false, preflight_continue: false })
    const s = await g.admin.get('/schemas/plugins/cors')
    expect(s.body.fields.find((f: any) => f.config).config.fields.map((f: any) => Object.keys(f)[0])).toEqual(['origins', 'headers', 'exposed_headers', 'methods', 'max_age', 'credentials', 'private_network', 'preflight_continue'])
  })
})
