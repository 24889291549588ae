// ip-restriction end to end: allow/deny lists of both families, status and message, every scope, and the
// client address as Kong's real-IP settings decide it (KONG_TRUSTED_IPS, KONG_REAL_IP_HEADER/RECURSIVE).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startProxy, waitForVersion } from '../../support/processes.ts'
import { send } from '../../support/http.ts'
import { startPluginGateway, type PluginGateway } from '../../support/plugin-gateway.ts'

let g: PluginGateway
const ip = (path: string, addr: string, headers: Record<string, string> = {}) => g.proxy(path, { headers: { 'x-real-ip': addr, ...headers } })

beforeAll(async () => {
  // the test client is 127.0.0.1; trusting it lets X-Real-IP play any client address
  g = await startPluginGateway({ proxyEnv: { KONG_TRUSTED_IPS: '127.0.0.1' } })
  const { w, admin } = g
  await w(admin.post('/services', { name: 'svc', url: g.up.url }))
  await w(admin.post('/services', { name: 'other', url: g.up.url }))
  for (const [name, svc] of [['allow', 'svc'], ['deny', 'svc'], ['custom', 'svc'], ['both', 'svc'], ['svc-scope', 'other'], ['auth', 'svc'], ['plain', 'svc']])
    await w(admin.post(`/services/${svc}/routes`, { name, paths: [`/${name}`] }))
  await w(admin.post('/routes/allow/plugins', { name: 'ip-restriction', config: { allow: ['1.1.1.0/24', '2001:db8::/32'] } }))
  await w(admin.post('/routes/deny/plugins', { name: 'ip-restriction', config: { deny: ['3.3.3.3', 'fe80::/10'] } }))
  await w(admin.post('/routes/custom/plugins', { name: 'ip-restriction', config: { deny: ['5.5.5.5'], status: 401, message: 'Go away' } }))
  await w(admin.post('/routes/both/plugins', { name: 'ip-restriction', config: { allow: ['6.6.6.0/24'], deny: ['6.6.6.6'] } }))
  await w(admin.post('/services/other/plugins', { name: 'ip-restriction', config: { deny: ['7.7.7.7'] } }))
  // consumer scope: applies once key-auth identified the consumer
  await w(admin.post('/consumers', { username: 'alice' }))
  await w(admin.post('/consumers/alice/key-auth', { key: 'alice-key' }))
  await w(admin.post('/routes/auth/plugins', { name: 'key-auth' }))
  await w(admin.post('/consumers/alice/plugins', { name: 'ip-restriction', config: { deny: ['8.8.8.8'] } }))
  // global: applies everywhere
  await w(admin.post('/plugins', { name: 'ip-restriction', config: { deny: ['9.9.9.9'] } }))
  await g.sync()
})
afterAll(async () => {
  await g?.stop()
})

describe('ip-restriction', () => {
  it('lets addresses of the allow list through, IPv4 and IPv6', async () => {
    expect((await ip('/allow', '1.1.1.77')).status).toBe(200)
    expect((await ip('/allow', '2001:db8::42')).status).toBe(200)
  })

  it('refuses everything else with 403 and Kong message naming the address', async () => {
    const r = await ip('/allow', '2.2.2.2')
    expect(r.status).toBe(403)
    expect(r.headers['content-type']).toMatch(/^application\/json/)
    expect(r.body).toEqual({ message: 'IP address not allowed: 2.2.2.2', request_id: expect.any(String) })
    expect((await ip('/allow', '2001:db9::1')).body.message).toBe('IP address not allowed: 2001:db9::1')
  })

  it('refuses addresses of the deny list and lets others through', async () => {
    expect((await ip('/deny', '3.3.3.3')).status).toBe(403)
    expect((await ip('/deny', 'fe80::1')).status).toBe(403)
    expect((await ip('/deny', '3.3.3.4')).status).toBe(200)
  })

  it('answers with the configured status and message', async () => {
    const r = await ip('/custom', '5.5.5.5')
    expect(r.status).toBe(401)
    expect(r.body.message).toBe('Go away')
  })

  it('checks the deny list before the allow list', async () => {
    expect((await ip('/both', '6.6.6.6')).status).toBe(403)
    expect((await ip('/both', '6.6.6.7')).status).toBe(200)
  })

  it('applies on a service, on a consumer and globally', async () => {
    expect((await ip('/svc-scope', '7.7.7.7')).status).toBe(403)
    expect((await ip('/plain', '7.7.7.7')).status).toBe(200)
    expect((await ip('/auth', '8.8.8.8', { apikey: 'alice-key' })).status).toBe(403)
    expect((await ip('/auth', '8.8.8.9', { apikey: 'alice-key' })).status).toBe(200)
    expect((await ip('/plain', '8.8.8.8')).status).toBe(200)
    expect((await ip('/plain', '9.9.9.9')).status).toBe(403)
    // the most specific instance wins, as in Kong: a route or service instance replaces the global one
    expect((await ip('/svc-scope', '9.9.9.9')).status).toBe(200)
    expect((await ip('/deny', '9.9.9.9')).status).toBe(200)
  })

  it('sends the forwarded client address upstream as X-Real-IP', async () => {
    const r = await ip('/plain', '4.3.2.1')
    expect(r.body.headers['x-real-ip']).toBe('4.3.2.1')
    expect(r.body.headers['x-forwarded-for']).toBe('4.3.2.1')
  })

  it('is rejected by the admin with Kong fields', async () => {
    const r = await g.admin.post('/plugins', { name: 'ip-restriction', config: { allow: ['1.1.1.1', 'nope'] } })
    expect(r.status).toBe(400)
    expect(r.body.fields).toEqual({ config: { allow: [null, "invalid ip or cidr range: 'nope'"] } })
    const empty = await g.admin.post('/plugins', { name: 'ip-restriction', config: {} })
    expect(empty.body.fields).toEqual({ '@entity': ["at least one of these fields must be non-empty: 'config.allow', 'config.deny'"] })
  })

  it('returns Kong defaults and default protocols, and is described at /schemas/plugins/ip-restriction', async () => {
    const p = (await g.admin.get('/plugins')).body.data.find((x: any) => x.route === null && x.service === null && x.consumer === null)
    expect(p.config).toEqual({ allow: null, deny: ['9.9.9.9'], status: null, message: null })
    expect(p.protocols).toEqual(['http', 'https', 'tcp', 'tls', 'grpc', 'grpcs'])
    const s = await g.admin.get('/schemas/plugins/ip-restriction')
    expect(s.status).toBe(200)
    expect(s.body.fields.find((f: any) => f.config).config.fields.map((f: any) => Object.keys(f)[0])).toEqual(['allow', 'deny', 'status', 'message'])
  })
})

describe('client address', () => {
  it('ignores X-Real-IP from a peer that is not trusted', async () => {
    const p = await startProxy({ clusterPort: g.gw.admin.clusterPort })
    try {
      await waitForVersion(p, (await g.admin.get('/status')).body.configuration_version)
      const r = await send(p.url + '/allow', { headers: { 'x-real-ip': '1.1.1.1' } })
      expect(r.status).toBe(403)
      expect(r.body.message).toBe('IP address not allowed: 127.0.0.1')
    } finally {
      await p.stop()
    }
  })

  it('reads X-Forwarded-For right to left past trusted addresses with KONG_REAL_IP_RECURSIVE=on', async () => {
    const env = { KONG_TRUSTED_IPS: '127.0.0.1,10.0.0.0/8', KONG_REAL_IP_HEADER: 'X-Forwarded-For', KONG_REAL_IP_RECURSIVE: 'on' }
    const p = await startProxy({ clusterPort: g.gw.admin.clusterPort, env })
    try {
      await waitForVersion(p, (await g.admin.get('/status')).body.configuration_version)
      const ok = await send(p.url + '/allow', { headers: { 'x-forwarded-for': '3.3.3.3, 1.1.1.9, 10.1.1.1' } })
      expect(ok.status).toBe(200)
      expect(ok.body.headers['x-real-ip']).toBe('1.1.1.9')
      // Kong appends the connecting peer, not the forwarded address, to the client's list
      expect(ok.body.headers['x-forwarded-for']).toBe('3.3.3.3, 1.1.1.9, 10.1.1.1, 127.0.0.1')
      const denied = await send(p.url + '/allow', { headers: { 'x-forwarded-for': '1.1.1.9, 3.3.3.3' } })
      expect(denied.body.message).toBe('IP address not allowed: 3.3.3.3')
    } finally {
      await p.stop()
    }
  })
})
