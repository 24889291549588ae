// bot-detection end to end: Kong's bot list, allow/deny regexes, 400 for two User-Agents, scopes, admin errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startPluginGateway, type PluginGateway } from '../../support/plugin-gateway.ts'

const GOOGLEBOT = 'Googlebot/2.1 (+http://www.google.com/bot.html)'
const FACEBOOK = 'facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)'
const CHROME = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_11_5) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/50.0.2661.102 Safari/537.36'

let g: PluginGateway
const ua = (path: string, agent: string | string[]) => g.proxy(path, { headers: { 'user-agent': agent } })

beforeAll(async () => {
  g = await startPluginGateway()
  const { w, admin } = g
  await w(admin.post('/services', { name: 'svc', url: g.up.url }))
  await w(admin.post('/services', { name: 'other', url: g.up.url }))
  for (const [name, svc] of [['default', 'svc'], ['lists', 'svc'], ['svc-scope', 'other'], ['plain', 'svc']])
    await w(admin.post(`/services/${svc}/routes`, { name, paths: [`/${name}`] }))
  await w(admin.post('/routes/default/plugins', { name: 'bot-detection' }))
  await w(admin.post('/routes/lists/plugins', { name: 'bot-detection', config: { deny: ['HelloWorld'], allow: ['facebookexternalhit'] } }))
  await w(admin.post('/services/other/plugins', { name: 'bot-detection', config: { deny: ['^ServiceBlocked$'] } }))
  await w(admin.post('/plugins', { name: 'bot-detection', config: { deny: ['GlobalBlocked'] } }))
  await g.sync()
})
afterAll(async () => {
  await g?.stop()
})

describe('bot-detection', () => {
  it('lets regular clients through', async () => {
    for (const agent of [CHROME, 'curl/7.43.0', 'HelloWorld']) expect((await ua('/default', agent)).status).toBe(200)
    expect((await g.proxy('/default')).status).toBe(200)
  })

  it('refuses known bots with 403 and Kong body', async () => {
    for (const agent of [GOOGLEBOT, FACEBOOK]) {
      const r = await ua('/default', agent)
      expect(r.status).toBe(403)
      expect(r.body).toEqual({ message: 'Forbidden', request_id: expect.any(String) })
    }
  })

  it('refuses deny matches and lets allow matches through', async () => {
    expect((await ua('/lists', 'HelloWorld')).status).toBe(403)
    expect((await ua('/lists', FACEBOOK)).status).toBe(200)
    expect((await ua('/lists', GOOGLEBOT)).status).toBe(403)
  })

  it('answers 400 to a request with two User-Agent headers', async () => {
    const r = await ua('/default', ['curl/7.43.0', 'curl/8.0.0'])
    expect(r.status).toBe(400)
    expect(r.body.message).toBe('Only one User-Agent header allowed')
  })

  it('applies on a service and globally', async () => {
    expect((await ua('/svc-scope', 'ServiceBlocked')).status).toBe(403)
    expect((await ua('/plain', 'ServiceBlocked')).status).toBe(200)
    expect((await ua('/plain', 'GlobalBlocked')).status).toBe(403)
    expect((await ua('/plain', GOOGLEBOT)).status).toBe(403)
  })

  it('cannot be scoped to a consumer and rejects a bad regex, as Kong', async () => {
    await g.w(g.admin.post('/consumers', { username: 'carol' }))
    const c = await g.admin.post('/consumers/carol/plugins', { name: 'bot-detection' })
    expect(c.status).toBe(400)
    expect(c.body.fields).toEqual({ consumer: 'value must be null' })
    const bad = await g.admin.post('/plugins', { name: 'bot-detection', route: { id: (await g.admin.get('/routes/plain')).body.id }, config: { allow: ['(https?:\\/\\/.*'] } })
    expect(bad.status).toBe(400)
    expect(bad.body.fields).toEqual({ config: { allow: ['not a valid regex: (https?:\\/\\/.*'] } })
  })

  it('returns Kong defaults and is described at /schemas/plugins/bot-detection', async () => {
    const route = (await g.admin.get('/routes/default')).body
    const p = (await g.admin.get(`/routes/${route.id}/plugins`)).body.data[0]
    expect(p.config).toEqual({ allow: [], deny: [] })
    expect(p.protocols).toEqual(['grpc', 'grpcs', 'http', 'https'])
    expect((await g.admin.get('/schemas/plugins/bot-detection')).status).toBe(200)
  })
})
