// Admin changes reach the proxy on the next request, verified-token cache notwithstanding: deleted
// credentials and consumers, changed secrets, keys, algorithms and usernames.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sharedKeyPair, signToken } from '../../../packages/shared/src/plugins/jwt/testing.ts'
import { startJwtHarness, type JwtHarness } from './harness.ts'

let h: JwtHarness
const bearer = (t: string) => ({ authorization: `Bearer ${t}` })
const call = async (token: string) => {
  const r = await h.get('/api', bearer(token))
  return r.status === 200 ? h.upstreamHeaders(r)['x-consumer-username'] : r.body
}

beforeAll(async () => {
  h = await startJwtHarness()
  await h.w(h.admin.post('/services', { name: 'svc', url: h.upstream.url }))
  await h.w(h.admin.post('/services/svc/routes', { paths: ['/api'] }))
  await h.w(h.admin.post('/services/svc/plugins', { name: 'jwt' }))
  await h.sync()
})
afterAll(() => h?.stop())

describe('jwt invalidation', () => {
  it('rejects a cached token once its credential is deleted', async () => {
    await h.w(h.admin.post('/consumers', { username: 'del' }))
    await h.w(h.admin.post('/consumers/del/jwt', { key: 'del-key', secret: 's1' }))
    await h.sync()
    const t = signToken('HS256', { iss: 'del-key' }, 's1')
    expect(await call(t)).toBe('del')
    expect(await call(t)).toBe('del')
    await h.w(h.admin.delete('/consumers/del/jwt/del-key'))
    await h.sync()
    expect(await call(t)).toEqual({ message: "No credentials found for given 'iss'" })
  })

  it('rejects tokens signed with the old secret once the secret changes', async () => {
    await h.w(h.admin.post('/consumers', { username: 'sec' }))
    await h.w(h.admin.post('/consumers/sec/jwt', { key: 'sec-key', secret: 'old' }))
    await h.sync()
    const old = signToken('HS256', { iss: 'sec-key' }, 'old')
    expect(await call(old)).toBe('sec')
    await h.w(h.admin.patch('/consumers/sec/jwt/sec-key', { secret: 'new' }))
    await h.sync()
    expect(await call(old)).toEqual({ message: 'Invalid signature' })
    expect(await call(signToken('HS256', { iss: 'sec-key' }, 'new'))).toBe('sec')
  })

  it('rejects tokens of the old key pair once the PEM is replaced', async () => {
    const a = sharedKeyPair('RS256', 'a')
    const b = sharedKeyPair('RS256', 'b')
    await h.w(h.admin.post('/consumers', { username: 'rsa' }))
    await h.w(h.admin.post('/consumers/rsa/jwt', { key: 'rsa-key', algorithm: 'RS256', rsa_public_key: a.publicPem }))
    await h.sync()
    const t = signToken('RS256', { iss: 'rsa-key' }, a.privateKey)
    expect(await call(t)).toBe('rsa')
    await h.w(h.admin.patch('/consumers/rsa/jwt/rsa-key', { rsa_public_key: b.publicPem }))
    await h.sync()
    expect(await call(t)).toEqual({ message: 'Invalid signature' })
    expect(await call(signToken('RS256', { iss: 'rsa-key' }, b.privateKey))).toBe('rsa')
  })

  it('applies a changed algorithm and key claim value', async () => {
    await h.w(h.admin.post('/consumers', { username: 'alg' }))
    await h.w(h.admin.post('/consumers/alg/jwt', { key: 'alg-key', secret: 's' }))
    await h.sync()
    const t = signToken('HS256', { iss: 'alg-key' }, 's')
    expect(await call(t)).toBe('alg')
    await h.w(h.admin.patch('/consumers/alg/jwt/alg-key', { algorithm: 'HS512' }))
    await h.sync()
    expect(await call(t)).toEqual({ message: 'Invalid algorithm' })
    await h.w(h.admin.patch('/consumers/alg/jwt/alg-key', { key: 'alg-key-2', algorithm: 'HS256' }))
    await h.sync()
    expect(await call(t)).toEqual({ message: "No credentials found for given 'iss'" })
    expect(await call(signToken('HS256', { iss: 'alg-key-2' }, 's'))).toBe('alg')
  })

  it('follows a renamed consumer and rejects tokens of a deleted consumer', async () => {
    const c = (await h.w(h.admin.post('/consumers', { username: 'carol' }))).body
    await h.w(h.admin.post('/consumers/carol/jwt', { key: 'carol-key', secret: 's' }))
    await h.sync()
    const t = signToken('HS256', { iss: 'carol-key' }, 's')
    expect(await call(t)).toBe('carol')
    await h.w(h.admin.patch(`/consumers/${c.id}`, { username: 'caroline' }))
    await h.sync()
    expect(await call(t)).toBe('caroline')
    await h.w(h.admin.delete(`/consumers/${c.id}`))
    await h.sync()
    expect(await call(t)).toEqual({ message: "No credentials found for given 'iss'" })
  })

  it('applies a changed plugin config to the next request', async () => {
    const plugin = (await h.admin.get('/services/svc/plugins')).body.data[0]
    await h.w(h.admin.patch(`/plugins/${plugin.id}`, { config: { realm: 'changed' } }))
    await h.sync()
    const r = await h.get('/api')
    expect(r.headers['www-authenticate']).toBe('Bearer realm="changed"')
  })
})
