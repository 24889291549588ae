// anonymous (logical OR) and combining jwt with key-auth (logical AND, OR, and mixed), per spec §3.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { signToken } from '../../../packages/shared/src/plugins/jwt/testing.ts'
import { startJwtHarness, type JwtHarness } from './harness.ts'

let h: JwtHarness
let anon: any
let alice: any
let bobKey: any
const jwt = (claims: Record<string, unknown> = { iss: 'alice-key' }, secret = 'alice-secret') => ({ authorization: `Bearer ${signToken('HS256', claims, secret)}` })
const APIKEY = { apikey: 'bob-api-key' }

beforeAll(async () => {
  h = await startJwtHarness()
  await h.w(h.admin.post('/services', { name: 'svc', url: h.upstream.url }))
  anon = (await h.w(h.admin.post('/consumers', { username: 'anonymous', custom_id: 'anon-1' }))).body
  alice = (await h.w(h.admin.post('/consumers', { username: 'alice' }))).body
  await h.w(h.admin.post('/consumers', { username: 'bob' }))
  await h.w(h.admin.post('/consumers/alice/jwt', { key: 'alice-key', secret: 'alice-secret' }))
  bobKey = (await h.w(h.admin.post('/consumers/bob/key-auth', { key: 'bob-api-key' }))).body
  const route = async (name: string, plugins: [string, Record<string, unknown>][]) => {
    await h.w(h.admin.post('/services/svc/routes', { name, paths: [`/${name}`] }))
    for (const [plugin, config] of plugins) await h.w(h.admin.post(`/routes/${name}/plugins`, { name: plugin, config }))
  }
  await route('or-name', [['jwt', { anonymous: 'anonymous' }]])
  await route('or-id', [['jwt', { anonymous: anon.id }]])
  await route('or-missing', [['jwt', { anonymous: 'ghost' }]])
  await route('and', [['jwt', {}], ['key-auth', {}]])
  await route('or', [['jwt', { anonymous: 'anonymous' }], ['key-auth', { anonymous: 'anonymous' }]])
  await route('mixed', [['jwt', { anonymous: 'anonymous' }], ['key-auth', {}]])
  await h.sync()
})
afterAll(() => h?.stop())

function expectAnonymous(seen: Record<string, string>) {
  expect(seen['x-consumer-id']).toBe(anon.id)
  expect(seen['x-consumer-username']).toBe('anonymous')
  expect(seen['x-consumer-custom-id']).toBe('anon-1')
  expect(seen['x-anonymous-consumer']).toBe('true')
  expect(seen['x-credential-identifier']).toBeUndefined()
}

describe('jwt with anonymous (logical OR)', () => {
  it('proxies a request without a token as the anonymous consumer named by username', async () => {
    const r = await h.get('/or-name', { 'x-credential-identifier': 'forged' })
    expect(r.status).toBe(200)
    expectAnonymous(h.upstreamHeaders(r))
  })

  it('uses the anonymous consumer for a bad signature and for a malformed token too', async () => {
    for (const headers of [jwt({ iss: 'alice-key' }, 'wrong'), { authorization: 'Bearer nonsense' }]) {
      const r = await h.get('/or-id', headers)
      expect(r.status).toBe(200)
      expectAnonymous(h.upstreamHeaders(r))
    }
  })

  it('authenticates a valid token as its consumer', async () => {
    const r = await h.get('/or-name', jwt())
    expect(r.status).toBe(200)
    expect(h.upstreamHeaders(r)['x-consumer-id']).toBe(alice.id)
    expect(h.upstreamHeaders(r)['x-anonymous-consumer']).toBeUndefined()
  })

  it('answers 500 naming the anonymous consumer that does not exist', async () => {
    const r = await h.get('/or-missing')
    expect(r.status).toBe(500)
    expect(r.body).toMatchObject({ message: "anonymous consumer ghost is configured but doesn't exist" })
    expect(r.headers['www-authenticate']).toBeUndefined()
  })
})

describe('jwt and key-auth together', () => {
  it('AND: answers jwt 401 first, then key-auth 401 once the jwt is valid', async () => {
    const noJwt = await h.get('/and', APIKEY)
    expect([noJwt.status, noJwt.body, noJwt.headers['www-authenticate']]).toEqual([401, { message: 'Unauthorized' }, 'Bearer'])
    const noKey = await h.get('/and', jwt())
    expect(noKey.status).toBe(401)
    expect(noKey.body.message).toBe('No API key found in request')
    expect(noKey.headers['www-authenticate']).toBe('Key')
  })

  it('AND: passes with both, identified by the last plugin to run (key-auth)', async () => {
    const r = await h.get('/and', { ...jwt(), ...APIKEY })
    expect(r.status).toBe(200)
    expect(h.upstreamHeaders(r)['x-consumer-username']).toBe('bob')
    expect(h.upstreamHeaders(r)['x-credential-identifier']).toBe(bobKey.id)
  })

  it('OR: the jwt identity wins when the token is valid, and key-auth does nothing', async () => {
    const r = await h.get('/or', { ...jwt(), ...APIKEY })
    expect(r.status).toBe(200)
    expect(h.upstreamHeaders(r)['x-consumer-username']).toBe('alice')
    expect(h.upstreamHeaders(r)['x-credential-identifier']).toBe('alice-key')
  })

  it('OR: key-auth replaces the anonymous identity left by a failed jwt', async () => {
    const r = await h.get('/or', { ...jwt({ iss: 'nobody' }), ...APIKEY })
    expect(r.status).toBe(200)
    const seen = h.upstreamHeaders(r)
    expect(seen['x-consumer-username']).toBe('bob')
    expect(seen['x-anonymous-consumer']).toBeUndefined()
  })

  it('OR: anonymous when neither authenticates', async () => {
    const r = await h.get('/or')
    expect(r.status).toBe(200)
    expectAnonymous(h.upstreamHeaders(r))
  })

  it('mixed: a plugin without anonymous still answers 401 on its own failure', async () => {
    expect((await h.get('/mixed', APIKEY)).status).toBe(200)
    const r = await h.get('/mixed', jwt({ iss: 'nobody' }))
    expect(r.status).toBe(401)
    expect(r.headers['www-authenticate']).toBe('Key')
  })
})
