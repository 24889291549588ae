// Every algorithm end to end through the proxy, and the malformed signatures Kong answers with 500.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sign } from 'node:crypto'
import { keyPair, sharedKeyPair, signToken, type TestKeyPair } from '../../../packages/shared/src/plugins/jwt/testing.ts'
import { startJwtHarness, type JwtHarness } from './harness.ts'

const ASYMMETRIC = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'] as const
let h: JwtHarness
const keys = new Map<string, TestKeyPair>()
const bearer = (t: string) => ({ authorization: `Bearer ${t}` })
const call = (token: string) => h.get('/api', bearer(token))

beforeAll(async () => {
  h = await startJwtHarness()
  await h.w(h.admin.post('/services', { name: 'svc', url: h.upstream.url }))
  await h.w(h.admin.post('/services/svc/routes', { paths: ['/api'] }))
  await h.w(h.admin.post('/services/svc/plugins', { name: 'jwt' }))
  await h.w(h.admin.post('/consumers', { username: 'app' }))
  for (const alg of ['HS256', 'HS384', 'HS512']) await h.w(h.admin.post('/consumers/app/jwt', { key: alg, algorithm: alg, secret: `${alg}-secret` }))
  for (const alg of ASYMMETRIC) {
    keys.set(alg, sharedKeyPair(alg))
    await h.w(h.admin.post('/consumers/app/jwt', { key: alg, algorithm: alg, rsa_public_key: keys.get(alg)!.publicPem }))
  }
  keys.set('ed448', keyPair('EdDSA', { ed448: true }))
  await h.w(h.admin.post('/consumers/app/jwt', { key: 'ed448', algorithm: 'EdDSA', rsa_public_key: keys.get('ed448')!.publicPem }))
  keys.set('ps3072', keyPair('PS256', { bits: 3072 }))
  await h.w(h.admin.post('/consumers/app/jwt', { key: 'ps3072', algorithm: 'PS256', rsa_public_key: keys.get('ps3072')!.publicPem }))
  await h.sync()
})
afterAll(() => h?.stop())

describe('jwt algorithms', () => {
  for (const alg of ['HS256', 'HS384', 'HS512']) {
    it(`accepts ${alg} signed with the credential secret and rejects another secret`, async () => {
      expect((await call(signToken(alg, { iss: alg }, `${alg}-secret`))).status).toBe(200)
      const r = await call(signToken(alg, { iss: alg }, 'guess'))
      expect([r.status, r.body]).toEqual([401, { message: 'Invalid signature' }])
    })
  }

  for (const alg of ASYMMETRIC) {
    it(`accepts ${alg} signed by the uploaded key and rejects another key`, async () => {
      const r = await call(signToken(alg, { iss: alg }, keys.get(alg)!.privateKey))
      expect(r.status).toBe(200)
      expect(h.upstreamHeaders(r)['x-credential-identifier']).toBe(alg)
      const bad = await call(signToken(alg, { iss: alg }, sharedKeyPair(alg, 'other').privateKey))
      expect([bad.status, bad.body]).toEqual([401, { message: 'Invalid signature' }])
    })
  }

  it('accepts EdDSA with an Ed448 key', async () => {
    expect((await call(signToken('EdDSA', { iss: 'ed448' }, keys.get('ed448')!.privateKey))).status).toBe(200)
  })

  it('accepts PS256 from a 3072-bit key, which Kong rejects with 500', async () => {
    expect((await call(signToken('PS256', { iss: 'ps3072' }, keys.get('ps3072')!.privateKey))).status).toBe(200)
  })

  it('answers 401 Invalid signature for DER-encoded and wrong-length ES signatures, where Kong answers 500', async () => {
    for (const alg of ['ES256', 'ES384', 'ES512']) {
      const good = signToken(alg, { iss: alg }, keys.get(alg)!.privateKey)
      const input = good.slice(0, good.lastIndexOf('.'))
      const der = sign(`sha${alg.slice(2)}`, Buffer.from(input), keys.get(alg)!.privateKey).toString('base64url')
      for (const token of [`${input}.${der}`, good.slice(0, -8)]) {
        const r = await call(token)
        expect([r.status, r.body]).toEqual([401, { message: 'Invalid signature' }])
      }
    }
  })

  it('answers 401 Invalid signature for a PS256 signature of the wrong length', async () => {
    const good = signToken('PS256', { iss: 'PS256' }, keys.get('PS256')!.privateKey)
    const r = await call(good.slice(0, -10))
    expect([r.status, r.body]).toEqual([401, { message: 'Invalid signature' }])
  })

  it('never accepts alg none, even with an empty signature', async () => {
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"iss":"HS256"}').toString('base64url')}.`
    const r = await call(none)
    expect([r.status, r.body]).toEqual([401, { message: 'Bad token; invalid alg' }])
  })

  it('rejects a token signed with HS256 using the RS256 public key as the secret', async () => {
    const pem = keys.get('RS256')!.publicPem
    const r = await call(signToken('HS256', { iss: 'RS256' }, pem))
    expect([r.status, r.body]).toEqual([401, { message: 'Invalid algorithm' }])
  })
})
