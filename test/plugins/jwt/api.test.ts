// The jwt admin API: /consumers/{c}/jwt, /jwts and plugin config validation, as Kong's jwt api spec.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sharedKeyPair } from '../../../packages/shared/src/plugins/jwt/testing.ts'
import { startJwtHarness, type JwtHarness } from './harness.ts'

let h: JwtHarness
let bob: any
const PEM = sharedKeyPair('RS256').publicPem
const CONDITIONAL = ["failed conditional validation given value of field 'algorithm'"]

beforeAll(async () => {
  h = await startJwtHarness()
  bob = (await h.w(h.admin.post('/consumers', { username: 'bob' }))).body
  await h.w(h.admin.post('/consumers', { username: 'alice' }))
})
afterAll(() => h?.stop())

describe('/consumers/{c}/jwt', () => {
  it('creates a credential with a generated key and secret and the HS256 default', async () => {
    const r = await h.admin.post('/consumers/bob/jwt', {})
    expect(r.status).toBe(201)
    expect(r.body).toMatchObject({ consumer: { id: bob.id }, algorithm: 'HS256', rsa_public_key: null, tags: null })
    expect(r.body.key).toMatch(/^[A-Za-z0-9]{32}$/)
    expect(r.body.secret).toMatch(/^[A-Za-z0-9]{32}$/)
  })

  it('accepts any given key, secret and tags, and duplicate secrets across consumers', async () => {
    const a = await h.admin.post('/consumers/bob/jwt', { key: 'bob2', secret: 'tooshort', tags: ['tag1', 'tag2'] })
    expect(a.status).toBe(201)
    expect(a.body).toMatchObject({ key: 'bob2', secret: 'tooshort', tags: ['tag1', 'tag2'] })
    expect((await h.admin.post('/consumers/alice/jwt', { key: 'alice', secret: 'tooshort' })).status).toBe(201)
  })

  it('answers 409 for a key another consumer already uses', async () => {
    const r = await h.admin.post('/consumers/alice/jwt', { key: 'bob2' })
    expect(r.status).toBe(409)
    expect(r.body.name).toBe('unique constraint violation')
  })

  it('accepts an RS256 PEM posted urlencoded with CRLF line endings, and as JSON', async () => {
    const form = await h.admin.postForm('/consumers/bob/jwt', { key: 'bob3', algorithm: 'RS256', rsa_public_key: PEM.replace(/\n/g, '\r\n') })
    expect(form.status).toBe(201)
    const json = await h.admin.post('/consumers/bob/jwt', { key: 'bob4', algorithm: 'RS256', rsa_public_key: PEM })
    expect(json.status).toBe(201)
    expect(json.body.rsa_public_key).toBe(PEM)
  })

  it('answers 400 required field missing without rsa_public_key for RS256', async () => {
    const r = await h.admin.post('/consumers/bob/jwt', { key: 'bob5', algorithm: 'RS256' })
    expect(r.status).toBe(400)
    expect(r.body.fields).toEqual({ rsa_public_key: 'required field missing', '@entity': CONDITIONAL })
  })

  it('answers 400 invalid key for a key that does not load, from JSON and from a multipart file', async () => {
    const r = await h.admin.post('/consumers/bob/jwt', { key: 'bob5', algorithm: 'RS256', rsa_public_key: 'test' })
    expect(r.status).toBe(400)
    expect(r.body.fields).toEqual({ rsa_public_key: 'invalid key', '@entity': CONDITIONAL })
    const form = new FormData()
    form.append('algorithm', 'PS256')
    form.append('rsa_public_key', new Blob(['-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----\n']), 'public.pem')
    const m = await h.admin.request('POST', '/consumers/bob/jwt', { multipart: form })
    expect(m.status).toBe(400)
    expect(m.body.fields).toEqual({ rsa_public_key: 'invalid key', '@entity': CONDITIONAL })
  })

  it('answers 400 when the key type does not fit the algorithm', async () => {
    const r = await h.admin.post('/consumers/bob/jwt', { algorithm: 'ES256', rsa_public_key: PEM })
    expect(r.status).toBe(400)
    expect(r.body.fields.rsa_public_key).toBe('invalid key: ES256 needs an EC P-256 key')
  })

  it('lists, reads by id or key, upserts by key, patches and deletes credentials', async () => {
    expect((await h.admin.get('/consumers/bob/jwt')).body.data.length).toBe(4)
    const put = await h.admin.put('/consumers/bob/jwt/abcd', {})
    expect(put.status).toBe(200)
    expect(put.body).toMatchObject({ key: 'abcd', consumer: { id: bob.id } })
    expect((await h.admin.get(`/consumers/bob/jwt/${put.body.id}`)).status).toBe(200)
    expect((await h.admin.get('/consumers/bob/jwt/abcd')).status).toBe(200)
    const patched = await h.admin.patch('/consumers/bob/jwt/abcd', { secret: 'newsecret' })
    expect([patched.status, patched.body.secret]).toEqual([200, 'newsecret'])
    expect((await h.admin.delete(`/consumers/bob/jwt/${put.body.id}`)).status).toBe(204)
    expect((await h.admin.delete('/consumers/bob/jwt/blah')).status).toBe(404)
    expect((await h.admin.delete('/consumers/bob/jwt/00000000-0000-0000-0000-000000000000')).status).toBe(404)
  })

  it('does not serve another consumer credential under this consumer', async () => {
    expect((await h.admin.get('/consumers/bob/jwt/alice')).status).toBe(404)
  })
})

describe('/jwts', () => {
  it('lists every credential with pagination and finds one by key with its consumer', async () => {
    const all = await h.admin.get('/jwts')
    expect(all.body.data.length).toBe(5)
    const page = await h.admin.get('/jwts?size=2')
    expect(page.body.data.length).toBe(2)
    expect(page.body.offset).toBeTypeOf('string')
    expect((await h.admin.get('/jwts/bob2')).body.key).toBe('bob2')
    expect((await h.admin.get('/jwts/bob2/consumer')).body.id).toBe(bob.id)
  })

  it('requires a consumer when posting to /jwts', async () => {
    const r = await h.admin.post('/jwts', {})
    expect(r.status).toBe(400)
    expect(r.body.message).toBe('schema violation (consumer: required field missing)')
  })

  it('deletes the credentials of a deleted consumer', async () => {
    const c = (await h.admin.post('/consumers', { username: 'temp' })).body
    await h.admin.post('/consumers/temp/jwt', { key: 'temp-key' })
    expect((await h.admin.delete(`/consumers/${c.id}`)).status).toBe(204)
    expect((await h.admin.get('/jwts/temp-key')).status).toBe(404)
  })
})

describe('jwt plugin config', () => {
  it('fills Kong defaults for a form body name=jwt', async () => {
    const r = await h.admin.postForm('/plugins', { name: 'jwt', 'config.claims_to_verify': 'exp' })
    expect(r.status).toBe(201)
    expect(r.body.config).toMatchObject({ claims_to_verify: ['exp'], key_claim_name: 'iss', secret_is_base64: false, maximum_expiration: 0, realm: null, anonymous: null, run_on_preflight: true, cookie_names: [] })
    expect(r.body.protocols).toEqual(['grpc', 'grpcs', 'http', 'https'])
    await h.admin.delete(`/plugins/${r.body.id}`)
  })

  it('cannot be bound to a consumer', async () => {
    const r = await h.admin.post('/plugins', { name: 'jwt', consumer: { id: bob.id } })
    expect(r.status).toBe(400)
    expect(r.body.fields).toEqual({ consumer: 'value must be null' })
  })

  it('rejects maximum_expiration without exp in claims_to_verify and out of range', async () => {
    const r = await h.admin.post('/plugins', { name: 'jwt', config: { maximum_expiration: 60 } })
    expect(r.status).toBe(400)
    expect(r.body.fields).toEqual({
      config: { claims_to_verify: 'expected to contain: exp' },
      '@entity': ["failed conditional validation given value of field 'config.maximum_expiration'"],
    })
    const range = await h.admin.post('/plugins', { name: 'jwt', config: { maximum_expiration: 31536001, claims_to_verify: ['exp'] } })
    expect(range.body.fields).toEqual({ config: { maximum_expiration: 'value should be between 0 and 31536000' } })
  })
})
