// JWKS end to end against a fixture issuer: keys picked by kid, rotation without admin calls, the refetch
// cooldown, background refresh dropping retired keys, and the last good set kept while the issuer is down.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sharedKeyPair, signToken } from '../../../packages/shared/src/plugins/jwt/testing.ts'
import { startJwksIssuer, type JwksIssuer } from '../../fixtures/jwks-issuer.ts'
import { startJwtHarness, type JwtHarness } from './harness.ts'

let h: JwtHarness
const issuers: Record<string, JwksIssuer> = {}
const bearer = (t: string) => ({ authorization: `Bearer ${t}` })
const status = async (path: string, token: string) => {
  const r = await h.get(path, bearer(token))
  return r.status === 200 ? 200 : [r.status, r.body.message]
}
const INVALID = [401, 'Invalid signature']
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

beforeAll(async () => {
  h = await startJwtHarness()
  for (const name of ['rotate', 'cooldown', 'down', 'plugin']) issuers[name] = await startJwksIssuer()
  await h.w(h.admin.post('/services', { name: 'svc', url: h.upstream.url }))
  const route = async (name: string, config: Record<string, unknown>) => {
    await h.w(h.admin.post('/services/svc/routes', { name, paths: [`/${name}`] }))
    await h.w(h.admin.post(`/routes/${name}/plugins`, { name: 'jwt', config }))
  }
  await route('fast', { jwks_refresh_interval: 1, jwks_refetch_cooldown: 0 })
  await route('slow', { jwks_refetch_cooldown: 60 })
  await route('plugin', { jwks_uri: issuers.plugin.jwksUri, jwks_refetch_cooldown: 0 })
  await h.w(h.admin.post('/consumers', { username: 'idp' }))
  for (const name of ['rotate', 'cooldown', 'down']) {
    issuers[name].addKey('k1')
    await h.w(h.admin.post('/consumers/idp/jwt', { key: issuers[name].url, algorithm: 'ES256', jwks_uri: issuers[name].jwksUri }))
  }
  // the plugin-level JWKS serves credentials that pin a PEM of their own (Kong requires one)
  issuers.plugin.addKey('p1')
  await h.w(h.admin.post('/consumers/idp/jwt', { key: issuers.plugin.url, algorithm: 'ES256', rsa_public_key: sharedKeyPair('ES256').publicPem }))
  await h.w(h.admin.post('/consumers/idp/jwt', { key: 'dead-issuer', algorithm: 'ES256', jwks_uri: 'http://127.0.0.1:9/jwks.json' }))
  await h.sync()
})
afterAll(async () => {
  await h?.stop()
  for (const i of Object.values(issuers)) await i.close()
})

describe('jwt with a credential jwks_uri', () => {
  it('verifies a token with the key its kid names and fetches the set once', async () => {
    const i = issuers.rotate
    expect(await status('/fast', i.sign('k1'))).toBe(200)
    expect(await status('/fast', i.sign('k1', { n: 2 }))).toBe(200)
    expect(i.fetches).toBe(1)
  })

  it('accepts a key the issuer adds mid-test, refetching on the unknown kid, without an admin call', async () => {
    const i = issuers.rotate
    i.addKey('k2')
    expect(await status('/fast', i.sign('k2'))).toBe(200)
    expect(await status('/fast', i.sign('k1'))).toBe(200)
    expect(i.fetches).toBe(2)
  })

  it('verifies a token without a kid against the keys of the set', async () => {
    expect(await status('/fast', issuers.rotate.sign('k2', {}, { withKid: false }))).toBe(200)
  })

  it('drops a retired key after the background refresh, cached verifications included', async () => {
    const i = issuers.rotate
    const old = i.sign('k1', { jti: 'cached' })
    expect(await status('/fast', old)).toBe(200)
    i.removeKey('k1')
    await sleep(1100)
    await status('/fast', i.sign('k2')) // stale set: this request starts the background refresh
    await sleep(100)
    expect(await status('/fast', old)).toEqual(INVALID)
    expect(await status('/fast', i.sign('k2'))).toBe(200)
  })

  it('does not let unknown kids fetch again within the cooldown', async () => {
    const i = issuers.cooldown
    expect(await status('/slow', i.sign('k1'))).toBe(200)
    i.addKey('k2')
    expect(await status('/slow', i.sign('k2'))).toEqual(INVALID)
    expect(await status('/slow', i.sign('k2', { n: 2 }))).toEqual(INVALID)
    expect(await status('/slow', i.sign('k1', { n: 2 }))).toBe(200)
    expect(i.fetches).toBe(1)
  })

  it('keeps the last good key set while the issuer fails or drops connections', async () => {
    const i = issuers.down
    expect(await status('/fast', i.sign('k1'))).toBe(200)
    i.fail(500)
    await sleep(1100)
    expect(await status('/fast', i.sign('k1', { n: 1 }))).toBe(200)
    await sleep(100)
    expect(await status('/fast', i.sign('k1', { n: 2 }))).toBe(200)
    i.fail('drop')
    i.addKey('k9')
    expect(await status('/fast', i.sign('k9'))).toEqual(INVALID)
    expect(await status('/fast', i.sign('k1', { n: 3 }))).toBe(200)
    i.fail(null)
    expect(await status('/fast', i.sign('k9'))).toBe(200)
  })

  it('answers Invalid signature when the issuer was never reachable', async () => {
    const token = signToken('ES256', { iss: 'dead-issuer' }, sharedKeyPair('ES256').privateKey, { kid: 'x' })
    expect(await status('/fast', token)).toEqual(INVALID)
  })
})

describe('jwt with a plugin jwks_uri', () => {
  it('verifies tokens whose kid is in the plugin key set, and falls back to the pinned PEM otherwise', async () => {
    const i = issuers.plugin
    expect(await status('/plugin', i.sign('p1'))).toBe(200)
    const pinned = sharedKeyPair('ES256').privateKey
    expect(await status('/plugin', signToken('ES256', { iss: i.url }, pinned))).toBe(200)
    expect(await status('/plugin', signToken('ES256', { iss: i.url }, pinned, { kid: 'not-in-set' }))).toBe(200)
    expect(await status('/plugin', signToken('ES256', { iss: i.url }, sharedKeyPair('ES256', 'other').privateKey, { kid: 'p1' }))).toEqual(INVALID)
  })

  it('tells several keys of one issuer apart by kid', async () => {
    const i = issuers.plugin
    i.addKey('p2')
    expect(await status('/plugin', i.sign('p2'))).toBe(200)
    expect(await status('/plugin', i.sign('p1'))).toBe(200)
  })
})
