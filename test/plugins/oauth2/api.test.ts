// The oauth2 admin API (Kong's 02-api_spec): credentials under /consumers/{c}/oauth2 and /oauth2, hashed
// secrets, tokens under /oauth2_tokens, and the plugin's config validation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rmSync } from 'node:fs'
import { startAdmin, type AdminProc } from '../../support/processes.ts'
import { AdminClient } from '../../support/admin-client.ts'

let admin: AdminProc
let api: AdminClient
let consumerId: string

beforeAll(async () => {
  admin = await startAdmin()
  api = new AdminClient(admin.url)
  consumerId = (await api.post('/consumers', { username: 'bob' })).body.id
})
afterAll(async () => {
  await admin?.stop()
  if (admin) rmSync(admin.prefix, { recursive: true, force: true })
})

describe('oauth2 credentials', () => {
  it('creates a credential with a generated client_id and client_secret', async () => {
    const r = await api.post('/consumers/bob/oauth2', { name: 'Tester', redirect_uris: ['http://google.test/'] })
    expect(r.status).toBe(201)
    expect(r.body).toMatchObject({
      name: 'Tester', consumer: { id: consumerId }, redirect_uris: ['http://google.test/'], hash_secret: false, client_type: 'confidential',
      client_id: expect.stringMatching(/^[A-Za-z0-9]{32}$/), client_secret: expect.stringMatching(/^[A-Za-z0-9]{32}$/),
    })
  })

  it('requires a name', async () => {
    const r = await api.post('/consumers/bob/oauth2', { redirect_uris: ['http://google.test/'] })
    expect(r.status).toBe(400)
    expect(r.body.fields).toEqual({ name: 'required field missing' })
  })

  it('reports each invalid redirect URI at its position', async () => {
    const r = await api.post('/consumers/bob/oauth2', { name: 'x', redirect_uris: ['http://ok.test/', 'not-valid', 'http://a.test/#frag'] })
    expect(r.status).toBe(400)
    expect(r.body.fields).toEqual({ redirect_uris: [null, "cannot parse 'not-valid'", "fragment not allowed in 'http://a.test/#frag'"] })
  })

  it('accepts a form body with several redirect URIs and a null list as JSON', async () => {
    const form = await api.postForm('/consumers/bob/oauth2', [['name', 'formy'], ['redirect_uris', 'http://one.test/'], ['redirect_uris', 'http://two.test/']])
    expect(form.status).toBe(201)
    expect(form.body.redirect_uris).toEqual(['http://one.test/', 'http://two.test/'])
    const none = await api.post('/consumers/bob/oauth2', { name: 'cc-only', redirect_uris: null })
    expect(none.status).toBe(201)
    expect(none.body.redirect_uris).toBeNull()
  })

  it('finds a credential by client_id at the top level, nested, and its consumer', async () => {
    const { client_id, id } = (await api.post('/consumers/bob/oauth2', { name: 'lookup', client_id: 'lookup-client' })).body
    expect(client_id).toBe('lookup-client')
    expect((await api.get('/oauth2/lookup-client')).body.id).toBe(id)
    expect((await api.get('/consumers/bob/oauth2/lookup-client')).body.id).toBe(id)
    expect((await api.get('/oauth2/lookup-client/consumer')).body.username).toBe('bob')
    expect((await api.post('/consumers/bob/oauth2', { name: 'dup', client_id: 'lookup-client' })).status).toBe(409)
    const list = await api.get('/consumers/bob/oauth2')
    expect(list.body.data.map((c: any) => c.client_id)).toContain('lookup-client')
  })

  it('shows a hash_secret plaintext once, then only its PBKDF2 hash, kept on later patches', async () => {
    const r = await api.post('/consumers/bob/oauth2', { name: 'hashed', client_id: 'hashed-client', client_secret: 'my-secret', hash_secret: true })
    expect(r.status).toBe(201)
    expect(r.body.client_secret).toBe('my-secret')
    const stored = (await api.get('/oauth2/hashed-client')).body.client_secret
    expect(stored).toMatch(/^\$pbkdf2-sha512\$i=10000,l=32\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/)
    const patched = await api.patch('/oauth2/hashed-client', { name: 'renamed' })
    expect(patched.body.client_secret).toBe(stored)
    const rotated = await api.patch('/oauth2/hashed-client', { client_secret: 'new-secret', hash_secret: true })
    expect(rotated.body.client_secret).toBe('new-secret')
    const restored = (await api.get('/oauth2/hashed-client')).body.client_secret
    expect(restored).toMatch(/^\$pbkdf2-sha512\$/)
    expect(restored).not.toBe(stored)
  })

  it('refuses a PATCH that sets client_secret or hash_secret without the other, as Kong', async () => {
    const cred = (await api.post('/consumers/bob/oauth2', { name: 'all-or-none', client_id: 'aon', client_secret: 'plain' })).body
    const expected = { code: 2, name: 'schema violation', message: "schema violation (all or none of these fields must be set: 'hash_secret', 'client_secret')", fields: { '@entity': ["all or none of these fields must be set: 'hash_secret', 'client_secret'"] } }
    for (const body of [{ client_secret: 'other' }, { hash_secret: true }, { hash_secret: false }]) {
      const r = await api.patch('/oauth2/aon', body)
      expect(r.status, JSON.stringify(body)).toBe(400)
      expect(r.body).toEqual(expected)
    }
    expect((await api.get('/oauth2/aon')).body.client_secret).toBe('plain')
    // both together, the stored secret alone, or neither are fine
    expect((await api.patch('/oauth2/aon', { client_secret: 'plain', name: 'same' })).status).toBe(200)
    expect((await api.patch('/oauth2/aon', { name: 'renamed' })).status).toBe(200)
    const both = await api.patch(`/oauth2/${cred.id}`, { client_secret: 'rotated', hash_secret: true })
    expect(both.status).toBe(200)
    expect(both.body.client_secret).toBe('rotated')
  })

  it('shows a generated hash_secret plaintext once', async () => {
    const r = await api.post('/consumers/bob/oauth2', { name: 'generated', hash_secret: true })
    expect(r.body.client_secret).toMatch(/^[A-Za-z0-9]{32}$/)
    expect((await api.get(`/oauth2/${r.body.id}`)).body.client_secret).toMatch(/^\$pbkdf2-sha512\$/)
  })

  it('rejects an unknown client_type', async () => {
    const r = await api.post('/consumers/bob/oauth2', { name: 'x', client_type: 'spa' })
    expect(r.body.fields).toEqual({ client_type: 'expected one of: confidential, public' })
  })
})

describe('oauth2 tokens', () => {
  let credentialId: string
  beforeAll(async () => {
    credentialId = (await api.post('/consumers/bob/oauth2', { name: 'tokens', redirect_uris: ['http://google.test/'] })).body.id
  })

  it('requires expires_in and credential', async () => {
    const r = await api.post('/oauth2_tokens', {})
    expect(r.status).toBe(400)
    expect(r.body.fields).toEqual({ expires_in: 'required field missing', credential: 'required field missing' })
  })

  it('creates a token with a generated access token and no refresh token', async () => {
    const r = await api.post('/oauth2_tokens', { credential: { id: credentialId }, expires_in: 10 })
    expect(r.status).toBe(201)
    expect(r.body).toMatchObject({ access_token: expect.stringMatching(/^[A-Za-z0-9]{32}$/), refresh_token: null, token_type: 'bearer', expires_in: 10 })
  })

  it('upserts by access_token with PUT and validates expires_in on PATCH', async () => {
    const put = await api.put('/oauth2_tokens/foobar', { credential: { id: credentialId }, expires_in: 10 })
    expect(put.status).toBe(200)
    expect(put.body.access_token).toBe('foobar')
    expect((await api.get('/oauth2_tokens/foobar')).body.id).toBe(put.body.id)
    const bad = await api.patch('/oauth2_tokens/foobar', { expires_in: 'hello' })
    expect(bad.status).toBe(400)
    expect(bad.body.fields).toEqual({ expires_in: 'expected an integer' })
  })

  it('answers 204 to the deletion of an unknown token', async () => {
    expect((await api.delete('/oauth2_tokens/does-not-exist')).status).toBe(204)
  })

  it("deletes a credential's tokens with it", async () => {
    const cred = (await api.post('/consumers/bob/oauth2', { name: 'doomed' })).body
    const token = (await api.post('/oauth2_tokens', { credential: { id: cred.id }, expires_in: 10 })).body
    expect((await api.delete(`/oauth2/${cred.client_id}`)).status).toBe(204)
    expect((await api.get(`/oauth2_tokens/${token.id}`)).status).toBe(404)
  })
})

describe('oauth2 plugin config', () => {
  it('fills the defaults and refuses a consumer', async () => {
    const ok = await api.post('/plugins', { name: 'oauth2', config: { enable_authorization_code: true } })
    expect(ok.status).toBe(201)
    expect(ok.body.config).toMatchObject({ token_expiration: 7200, refresh_token_ttl: 1209600, pkce: 'lax', provision_key: expect.stringMatching(/^[A-Za-z0-9]{32}$/) })
    expect(ok.body.protocols).toEqual(['grpc', 'grpcs', 'http', 'https'])
    const scoped = await api.post('/plugins', { name: 'oauth2', consumer: { id: consumerId }, config: { enable_password_grant: true } })
    expect(scoped.status).toBe(400)
    expect(scoped.body.fields).toMatchObject({ consumer: 'value must be null' })
    await api.delete(`/plugins/${ok.body.id}`)
  })

  it('requires at least one grant', async () => {
    const r = await api.post('/plugins', { name: 'oauth2', config: {} })
    expect(r.status).toBe(400)
    expect(r.body.message).toBe(
      'schema violation (config: at least one of these fields must be true: enable_authorization_code, enable_implicit_grant, enable_client_credentials, enable_password_grant)',
    )
  })

  it('coerces form-encoded config values', async () => {
    const r = await api.postForm('/plugins', [['name', 'oauth2'], ['config.enable_password_grant', 'true'], ['config.scopes', 'a'], ['config.scopes', 'b'], ['config.token_expiration', '60']])
    expect(r.status).toBe(201)
    expect(r.body.config).toMatchObject({ enable_password_grant: true, scopes: ['a', 'b'], token_expiration: 60 })
    await api.delete(`/plugins/${r.body.id}`)
  })
})
