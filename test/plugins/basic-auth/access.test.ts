// basic-auth through the proxy (Kong's 03-access_spec): 401 bodies and WWW-Authenticate, Authorization and
// Proxy-Authorization, identity headers, hide_credentials, realm, anonymous, scopes and credential changes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { startGateway } from '../../support/processes.ts'
import type { AdminClient, AdminResponse } from '../../support/admin-client.ts'
import { startPluginGateway, type PluginGateway } from '../../support/plugin-gateway.ts'
import { send } from '../../support/http.ts'
import type { EchoUpstream } from '../../fixtures/echo-upstream.ts'

let gw: Awaited<ReturnType<typeof startGateway>>
let up: EchoUpstream
let admin: AdminClient
let g: PluginGateway
let bob: any
let anon: any

// admin writes and the wait for the proxy come from the shared plugin gateway (test/support/plugin-gateway.ts)
const w = <T extends AdminResponse>(p: Promise<T>): Promise<T> => g.w(p) as Promise<T>
const sync = () => g.sync()
const get = (path: string, headers: Record<string, string> = {}) => send(gw.proxy.url + path, { headers })
const basic = (user: string, pw: string) => `Basic ${Buffer.from(`${user}:${pw}`).toString('base64')}`

beforeAll(async () => {
  g = await startPluginGateway()
  ;({ gw, up, admin } = g)
  await w(admin.post('/services', { name: 'svc', url: up.url }))
  for (const name of ['protected', 'hidden', 'realm', 'anon', 'ghost', 'open']) await w(admin.post('/services/svc/routes', { name, paths: [`/${name}`] }))
  await w(admin.post('/services', { name: 'svc2', url: up.url }))
  await w(admin.post('/services/svc2/routes', { name: 'by-service', paths: ['/by-service'] }))
  bob = (await w(admin.post('/consumers', { username: 'bob', custom_id: 'b-1' }))).body
  anon = (await w(admin.post('/consumers', { username: 'anonymous' }))).body
  await w(admin.post('/consumers/bob/basic-auth', { username: 'bob', password: 'kong' }))
  await w(admin.post('/consumers/bob/basic-auth', { username: 'user:colon', password: 'pw' }))
  await w(admin.post('/consumers/bob/basic-auth', { username: 'carl', password: 'pa:ss word ' }))
  await w(admin.post('/routes/protected/plugins', { name: 'basic-auth' }))
  await w(admin.post('/routes/hidden/plugins', { name: 'basic-auth', config: { hide_credentials: true } }))
  await w(admin.post('/routes/realm/plugins', { name: 'basic-auth', config: { realm: 'my-realm' } }))
  await w(admin.post('/routes/anon/plugins', { name: 'basic-auth', config: { anonymous: anon.id } }))
  await w(admin.post('/routes/ghost/plugins', { name: 'basic-auth', config: { anonymous: 'ghost-user' } }))
  await w(admin.post('/services/svc2/plugins', { name: 'basic-auth' }))
  await sync()
})
afterAll(async () => {
  await gw?.stop()
  await up?.close()
})

describe('basic-auth denials', () => {
  it('answers 401 Unauthorized with Basic realm="service" when no credentials are sent', async () => {
    const r = await get('/protected')
    expect(r.status).toBe(401)
    expect(r.body).toEqual({ message: 'Unauthorized', request_id: expect.any(String) })
    expect(r.headers['www-authenticate']).toBe('Basic realm="service"')
  })

  it('answers 401 for another scheme, bad base64, no colon, an unknown user or a wrong password, every time', async () => {
    // twice each: the second wrong password is answered from the remembered verdict
    for (const h of ['Bearer abc', 'Basic !!!', `Basic ${Buffer.from('bobkong').toString('base64')}`, basic('nobody', 'kong'), basic('bob', 'wrong'), basic('bob', 'kong ')]) {
      for (let i = 0; i < 2; i++) {
        const r = await get('/protected', { authorization: h })
        expect(r.status, h).toBe(401)
        expect(r.body.message).toBe('Unauthorized')
        expect(r.headers['www-authenticate']).toBe('Basic realm="service"')
      }
    }
  })

  it('uses the configured realm in WWW-Authenticate', async () => {
    const r = await get('/realm')
    expect(r.status).toBe(401)
    expect(r.headers['www-authenticate']).toBe('Basic realm="my-realm"')
  })
})

describe('basic-auth success', () => {
  it('authenticates from Authorization and sets the identity headers (credential identified by username)', async () => {
    for (let i = 0; i < 3; i++) {
      const r = await get('/protected', { authorization: basic('bob', 'kong') })
      expect(r.status).toBe(200)
      expect(r.body.headers).toMatchObject({ 'x-consumer-id': bob.id, 'x-consumer-username': 'bob', 'x-consumer-custom-id': 'b-1', 'x-credential-identifier': 'bob' })
      expect(r.body.headers['x-anonymous-consumer']).toBeUndefined()
      expect(r.body.headers.authorization).toBe(basic('bob', 'kong'))
    }
  })

  it('takes a password with colons and spaces exactly, and a username with a colon is not splittable', async () => {
    const r = await get('/protected', { authorization: basic('carl', 'pa:ss word ') })
    expect(r.status).toBe(200)
    expect(r.body.headers['x-credential-identifier']).toBe('carl')
    expect((await get('/protected', { authorization: basic('carl', 'pa:ss word') })).status).toBe(401)
    // "user:colon:pw" splits at the first colon, as in Kong: user "user", unknown
    expect((await get('/protected', { authorization: basic('user:colon', 'pw') })).status).toBe(401)
  })

  it('authenticates from Proxy-Authorization, and falls back to Authorization when that user is unknown', async () => {
    const p = await get('/protected', { 'proxy-authorization': basic('bob', 'kong') })
    expect(p.status).toBe(200)
    expect(p.body.headers['x-consumer-username']).toBe('bob')
    const f = await get('/protected', { 'proxy-authorization': basic('nobody', 'x'), authorization: basic('bob', 'kong') })
    expect(f.status).toBe(200)
    // a known user with a wrong password in Proxy-Authorization is final, as in Kong
    expect((await get('/protected', { 'proxy-authorization': basic('bob', 'bad'), authorization: basic('bob', 'kong') })).status).toBe(401)
  })

  it('removes the credential headers upstream with hide_credentials', async () => {
    for (let i = 0; i < 2; i++) {
      const a = await get('/hidden', { authorization: basic('bob', 'kong') })
      expect(a.status).toBe(200)
      expect(a.body.headers.authorization).toBeUndefined()
    }
    const p = await get('/hidden', { 'proxy-authorization': basic('bob', 'kong'), authorization: 'keep-me' })
    expect(p.status).toBe(200)
    expect(p.body.headers['proxy-authorization']).toBeUndefined()
    expect(p.body.headers.authorization).toBe('keep-me')
  })

  it('protects every route of a service when configured on the service', async () => {
    expect((await get('/by-service')).status).toBe(401)
    expect((await get('/by-service', { authorization: basic('bob', 'kong') })).status).toBe(200)
  })
})

describe('basic-auth anonymous', () => {
  it('lets failed or missing credentials through as the anonymous consumer', async () => {
    for (const h of [{}, { authorization: basic('bob', 'wrong') }] as Record<string, string>[]) {
      const r = await get('/anon', h)
      expect(r.status).toBe(200)
      expect(r.body.headers['x-consumer-id']).toBe(anon.id)
      expect(r.body.headers['x-anonymous-consumer']).toBe('true')
      expect(r.body.headers['x-credential-identifier']).toBeUndefined()
    }
    const ok = await get('/anon', { authorization: basic('bob', 'kong') })
    expect(ok.body.headers['x-consumer-username']).toBe('bob')
    expect(ok.body.headers['x-anonymous-consumer']).toBeUndefined()
  })

  it('answers 500 when the anonymous consumer does not exist', async () => {
    const r = await get('/ghost')
    expect(r.status).toBe(500)
    expect(r.body.message).toBe("anonymous consumer ghost-user is configured but doesn't exist")
  })
})

describe('basic-auth credential changes and scopes', () => {
  it('applies a password change and a deletion at once (the verified cache starts over)', async () => {
    const cred = (await w(admin.post('/consumers/bob/basic-auth', { username: 'temp', password: 'old' }))).body
    await sync()
    for (let i = 0; i < 2; i++) expect((await get('/protected', { authorization: basic('temp', 'old') })).status).toBe(200)
    await w(admin.patch(`/basic-auths/${cred.id}`, { password: 'new' }))
    await sync()
    expect((await get('/protected', { authorization: basic('temp', 'old') })).status).toBe(401)
    expect((await get('/protected', { authorization: basic('temp', 'new') })).status).toBe(200)
    await w(admin.delete('/basic-auths/temp'))
    await sync()
    expect((await get('/protected', { authorization: basic('temp', 'new') })).status).toBe(401)
  })

  it('protects every route when global', async () => {
    expect((await get('/open')).status).toBe(200)
    const p = (await w(admin.post('/plugins', { name: 'basic-auth' }))).body
    await sync()
    expect((await get('/open')).status).toBe(401)
    expect((await get('/open', { authorization: basic('bob', 'kong') })).status).toBe(200)
    await w(admin.delete(`/plugins/${p.id}`))
    await sync()
    expect((await get('/open')).status).toBe(200)
  })
})
