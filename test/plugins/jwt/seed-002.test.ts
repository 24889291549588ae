// Seed 002 step by step (FusionAuth + Kong jwt, RS256 PEM uploaded as a multipart file), hosts and ports aside.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdtempSync, openAsBlob, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomUUID } from 'node:crypto'
import { keyPair, signToken, type TestKeyPair } from '../../../packages/shared/src/plugins/jwt/testing.ts'
import { startJwtHarness, type JwtHarness } from './harness.ts'

const ISSUER = 'https://local.fusionauth.io'
let h: JwtHarness
let dir: string
let idp: TestKeyPair
let credential: any

/** A token shaped like FusionAuth's /api/login answer (RS256, kid, aud, exp, iat, iss, sub, jti, ...). */
function fusionAuthToken(claims: Record<string, unknown> = {}): string {
  const now = Math.floor(Date.now() / 1000)
  const app = randomUUID()
  return signToken(
    'RS256',
    { aud: app, exp: now + 3600, iat: now, iss: ISSUER, sub: randomUUID(), jti: randomUUID(), authenticationType: 'PASSWORD', email: 'richard@example.com', applicationId: app, roles: [], ...claims },
    idp.privateKey,
    { kid: 'hCR08_wZGk49AeaAfD69fbJZdFM' },
  )
}

beforeAll(async () => {
  h = await startJwtHarness()
  idp = keyPair('RS256')
  dir = mkdtempSync(join(tmpdir(), 'seed-002-'))
  writeFileSync(join(dir, 'public.pem'), idp.publicPem)
  // the Kong Get Started guide's service and route
  await h.w(h.admin.post('/services', { name: 'example_service', url: h.upstream.url }))
  await h.w(h.admin.post('/services/example_service/routes', { name: 'example_route', paths: ['/mock'] }))
  await h.sync()
})
afterAll(async () => {
  await h?.stop()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

describe('seed 002: Kong with FusionAuth as the identity provider', () => {
  it('answers 200 for curl -I /mock/requests before the plugin is added', async () => {
    expect((await h.get('/mock/requests', {}, 'HEAD')).status).toBe(200)
  })

  it('adds the jwt plugin to example_service with a form body name=jwt', async () => {
    const r = await h.w(h.admin.postForm('/services/example_service/plugins', { name: 'jwt' }))
    expect(r.status).toBe(201)
    expect(r.body).toMatchObject({ name: 'jwt', config: { key_claim_name: 'iss', header_names: ['authorization'], uri_param_names: ['jwt'] } })
    await h.sync()
  })

  it('answers 401 Unauthorized without a token', async () => {
    expect((await h.get('/mock/requests', {}, 'HEAD')).status).toBe(401)
    const r = await h.get('/mock/requests')
    expect(r.status).toBe(401)
    expect(r.body).toEqual({ message: 'Unauthorized' })
    expect(r.headers['www-authenticate']).toBe('Bearer')
  })

  it('creates the consumer fusionauth with a form body', async () => {
    const r = await h.w(h.admin.postForm('/consumers', { username: 'fusionauth' }))
    expect(r.status).toBe(201)
    expect(r.body.username).toBe('fusionauth')
  })

  it('creates the RS256 credential from a multipart upload of public.pem with key = the issuer', async () => {
    const form = new FormData()
    form.append('algorithm', 'RS256')
    form.append('rsa_public_key', await openAsBlob(join(dir, 'public.pem')), 'public.pem')
    form.append('key', ISSUER)
    const r = await h.w(h.admin.request('POST', '/consumers/fusionauth/jwt', { multipart: form }))
    expect(r.status).toBe(201)
    expect(r.body).toMatchObject({ algorithm: 'RS256', key: ISSUER, rsa_public_key: idp.publicPem })
    expect(r.body.secret).toMatch(/^[A-Za-z0-9]{32}$/)
    credential = r.body
    await h.sync()
  })

  it('answers 200 for curl -I with Authorization: Bearer <token> from the issuer', async () => {
    const token = fusionAuthToken()
    expect((await h.get('/mock/requests', { authorization: `Bearer ${token}` }, 'HEAD')).status).toBe(200)
    const r = await h.get('/mock/requests', { authorization: `Bearer ${token}` })
    expect(r.status).toBe(200)
    const seen = h.upstreamHeaders(r)
    expect(seen['x-consumer-username']).toBe('fusionauth')
    expect(seen['x-credential-identifier']).toBe(ISSUER)
    expect(seen.authorization).toBe(`Bearer ${token}`)
    expect(seen['x-anonymous-consumer']).toBeUndefined()
  })

  it('rejects a token whose issuer differs from the key by a trailing slash (troubleshooting)', async () => {
    const r = await h.get('/mock/requests', { authorization: `Bearer ${fusionAuthToken({ iss: ISSUER + '/' })}` })
    expect(r.status).toBe(401)
    expect(r.body).toEqual({ message: "No credentials found for given 'iss'" })
  })

  it('accepts an expired token until exp is added to claims_to_verify, as Kong does (troubleshooting)', async () => {
    const expired = fusionAuthToken({ exp: Math.floor(Date.now() / 1000) - 60 })
    expect((await h.get('/mock/requests', { authorization: `Bearer ${expired}` })).status).toBe(200)
    const plugin = (await h.admin.get('/services/example_service/plugins')).body.data[0]
    await h.w(h.admin.patch(`/plugins/${plugin.id}`, { config: { claims_to_verify: ['exp'] } }))
    await h.sync()
    const r = await h.get('/mock/requests', { authorization: `Bearer ${expired}` })
    expect(r.status).toBe(401)
    expect(r.body).toEqual({ exp: 'token expired' })
    expect(r.headers['www-authenticate']).toBe('Bearer error="invalid_token"')
    expect((await h.get('/mock/requests', { authorization: `Bearer ${fusionAuthToken()}` })).status).toBe(200)
  })

  it('lists the credential under the consumer and at /jwts by its key', async () => {
    expect((await h.admin.get('/consumers/fusionauth/jwt')).body.data.map((c: any) => c.id)).toEqual([credential.id])
    expect((await h.admin.get(`/jwts/${encodeURIComponent(ISSUER)}`)).body.id).toBe(credential.id)
  })
})
