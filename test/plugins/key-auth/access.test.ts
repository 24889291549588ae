// key-auth end to end, and through it the plugin runtime: scoping precedence, consumer-scoped configs,
// anonymous (OR) and identity headers, hide_credentials, and credential changes reaching the proxy.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startGateway, waitForVersion } from '../../support/processes.ts'
import { AdminClient } from '../../support/admin-client.ts'
import { send } from '../../support/http.ts'
import { startEchoUpstream, type EchoUpstream } from '../../fixtures/echo-upstream.ts'

let gw: Awaited<ReturnType<typeof startGateway>>
let up: EchoUpstream
let admin: AdminClient
let v = 0
let bob: any
let anon: any

async function w<T extends { version: number; status: number; text: string }>(p: Promise<T>): Promise<T> {
  const r = await p
  if (r.status >= 300) throw new Error(`${r.status} ${r.text}`)
  v = Math.max(v, r.version)
  return r
}
const sync = () => waitForVersion(gw.proxy, v)
const get = (path: string, headers: Record<string, string> = {}) => send(gw.proxy.url + path, { headers })

beforeAll(async () => {
  up = await startEchoUpstream()
  gw = await startGateway()
  admin = new AdminClient(gw.admin.url)
  await w(admin.post('/services', { name: 'svc', url: up.url }))
  await w(admin.post('/services/svc/routes', { name: 'protected', paths: ['/protected'] }))
  await w(admin.post('/services/svc/routes', { name: 'open', paths: ['/open'] }))
  await w(admin.post('/services/svc/routes', { name: 'anon', paths: ['/anon'] }))
  await w(admin.post('/services/svc/routes', { name: 'custom', paths: ['/custom'] }))
  bob = (await w(admin.post('/consumers', { username: 'bob', custom_id: 'b-1' }))).body
  anon = (await w(admin.post('/consumers', { username: 'anonymous' }))).body
  await w(admin.post('/consumers/bob/key-auth', { key: 'bob-key' }))
  await w(admin.post('/routes/protected/plugins', { name: 'key-auth' }))
  await w(admin.post('/routes/anon/plugins', { name: 'key-auth', config: { anonymous: 'anonymous' } }))
  await w(admin.post('/routes/custom/plugins', { name: 'key-auth', config: { key_names: ['x-token'], hide_credentials: true } }))
  await sync()
})
afterAll(async () => {
  await gw?.stop()
  await up?.close()
})

describe('key-auth', () => {
  it('returns 401 with WWW-Authenticate when the key is missing', async () => {
    const r = await get('/protected')
    expect(r.status).toBe(401)
    expect(r.body.message).toBe('No API key found in request')
    expect(r.headers['www-authenticate']).toBe('Key')
  })

  it('returns 401 Unauthorized for an unknown key', async () => {
    const r = await get('/protected', { apikey: 'nope' })
    expect(r.status).toBe(401)
    expect(r.body.message).toBe('Unauthorized')
  })

  it('accepts the key in a header or the query and sets the consumer headers upstream', async () => {
    for (const r of [await get('/protected', { apikey: 'bob-key' }), await get('/protected?apikey=bob-key')]) {
      expect(r.status).toBe(200)
      expect(r.body.headers['x-consumer-id']).toBe(bob.id)
      expect(r.body.headers['x-consumer-username']).toBe('bob')
      expect(r.body.headers['x-consumer-custom-id']).toBe('b-1')
      expect(r.body.headers['x-credential-identifier']).toMatch(/^[0-9a-f-]{36}$/)
      expect(r.body.headers['x-anonymous-consumer']).toBeUndefined()
    }
  })

  it('rejects a duplicate key in the query', async () => {
    const r = await get('/protected?apikey=a&apikey=b')
    expect(r.status).toBe(401)
    expect(r.body.message).toBe('Duplicate API key found')
  })

  it('leaves routes without the plugin open', async () => {
    expect((await get('/open')).status).toBe(200)
  })

  it('falls back to the anonymous consumer when configured (logical OR)', async () => {
    const r = await get('/anon')
    expect(r.status).toBe(200)
    expect(r.body.headers['x-consumer-id']).toBe(anon.id)
    expect(r.body.headers['x-anonymous-consumer']).toBe('true')
    const ok = await get('/anon', { apikey: 'bob-key' })
    expect(ok.body.headers['x-consumer-username']).toBe('bob')
  })

  it('hides the credential from the upstream when hide_credentials is set', async () => {
    const r = await get('/custom?x-token=bob-key&keep=1', { 'x-token': 'bob-key' })
    expect(r.status).toBe(200)
    expect(r.body.headers['x-token']).toBeUndefined()
    expect(r.body.url).toBe('/?keep=1')
  })

  it('answers 500 when the anonymous consumer does not exist', async () => {
    await w(admin.post('/services/svc/routes', { name: 'ghost', paths: ['/ghost'] }))
    await w(admin.post('/routes/ghost/plugins', { name: 'key-auth', config: { anonymous: 'ghost-user' } }))
    await sync()
    const r = await get('/ghost')
    expect(r.status).toBe(500)
    expect(r.body.message).toBe("anonymous consumer ghost-user is configured but doesn't exist")
  })

  it('stops accepting a key once the credential is deleted, and accepts a new one at once', async () => {
    const cred = (await w(admin.post('/consumers/bob/key-auth', { key: 'temp-key' }))).body
    await sync()
    expect((await get('/protected', { apikey: 'temp-key' })).status).toBe(200)
    await w(admin.delete(`/consumers/bob/key-auth/${cred.id}`))
    await sync()
    expect((await get('/protected', { apikey: 'temp-key' })).status).toBe(401)
  })

  it('drops a consumer with its credentials (cascade) at the proxy', async () => {
    await w(admin.post('/consumers', { username: 'carol' }))
    await w(admin.post('/consumers/carol/key-auth', { key: 'carol-key' }))
    await sync()
    expect((await get('/protected', { apikey: 'carol-key' })).status).toBe(200)
    await w(admin.delete('/consumers/carol'))
    await sync()
    expect((await get('/protected', { apikey: 'carol-key' })).status).toBe(401)
  })
})

describe('plugin scoping', () => {
  it('lets a route-level config replace the service-level one', async () => {
    await w(admin.post('/services', { name: 'scoped', url: up.url }))
    await w(admin.post('/services/scoped/routes', { name: 'svc-level', paths: ['/svc-level'] }))
    await w(admin.post('/services/scoped/routes', { name: 'route-level', paths: ['/route-level'] }))
    await w(admin.post('/services/scoped/plugins', { name: 'key-auth', config: { key_names: ['svc-key'] } }))
    await w(admin.post('/routes/route-level/plugins', { name: 'key-auth', config: { key_names: ['route-key'] } }))
    await sync()
    expect((await get('/svc-level', { 'svc-key': 'bob-key' })).status).toBe(200)
    expect((await get('/svc-level', { 'route-key': 'bob-key' })).status).toBe(401)
    expect((await get('/route-level', { 'route-key': 'bob-key' })).status).toBe(200)
    expect((await get('/route-level', { 'svc-key': 'bob-key' })).status).toBe(401)
  })

  it('applies a global plugin to every route without a more specific config', async () => {
    const g = await w(admin.post('/plugins', { name: 'key-auth', config: { key_names: ['global-key'] } }))
    await sync()
    expect((await get('/open')).status).toBe(401)
    expect((await get('/open', { 'global-key': 'bob-key' })).status).toBe(200)
    expect((await get('/route-level', { 'route-key': 'bob-key' })).status).toBe(200)
    await w(admin.delete(`/plugins/${g.body.id}`))
    await sync()
    expect((await get('/open')).status).toBe(200)
  })

  it('skips disabled plugin instances', async () => {
    const p = (await admin.get('/routes/protected/plugins')).body.data[0]
    await w(admin.patch(`/plugins/${p.id}`, { enabled: false }))
    await sync()
    expect((await get('/protected')).status).toBe(200)
    await w(admin.patch(`/plugins/${p.id}`, { enabled: true }))
    await sync()
    expect((await get('/protected')).status).toBe(401)
  })

  it('refuses to scope key-auth to a consumer, as Kong does', async () => {
    const r = await admin.post('/plugins', { name: 'key-auth', consumer: { id: bob.id } })
    expect(r.status).toBe(400)
    expect(r.body.fields.consumer).toBe('value must be null')
  })
})

describe('consumer-scoped configs', () => {
  it('applies a consumer-scoped plugin only once an auth plugin identified that consumer', async () => {
    await w(admin.post('/consumers/bob/plugins', { name: 'request-termination', config: { status_code: 418, message: 'bob is blocked' } }))
    await sync()
    const blocked = await get('/protected', { apikey: 'bob-key' })
    expect(blocked.status).toBe(418)
    expect(blocked.body.message).toBe('bob is blocked')
    // anonymous requests are not bob, so the consumer-scoped instance does not apply
    expect((await get('/anon')).status).toBe(200)
  })

  it('prefers route+consumer over consumer-only', async () => {
    await w(admin.post('/plugins', { name: 'request-termination', route: { name: 'protected' }, consumer: { username: 'bob' }, config: { status_code: 451 } }))
    await sync()
    expect((await get('/protected', { apikey: 'bob-key' })).status).toBe(451)
    expect((await get('/anon', { apikey: 'bob-key' })).status).toBe(418)
  })
})
