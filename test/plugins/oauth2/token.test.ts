// POST .../oauth2/token (Kong's 03-access_spec "/oauth2/token"): every grant with its errors, client
// authentication (parameters, Basic header, hashed secrets, public clients), PKCE, refresh and reuse rules.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHash } from 'node:crypto'
import { bearer, call, callTerminated, oauthApi, startOAuthGateway, write, type OAuthGateway } from './gateway.ts'

let gw: OAuthGateway
let http: string
let consumer: string
let pluginId: string
const ID = 'clientid123'
const SECRET = 'secret123'
const VERIFIER = 'v'.repeat(64)
const CHALLENGE = createHash('sha256').update(VERIFIER).digest('base64url')

const token = (body: Record<string, unknown>, headers: Record<string, string> = {}, service = 'tok') =>
  callTerminated(http, `/${service}/oauth2/token`, { json: body, headers })
const basic = (id: string, secret: string) => ({ authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}` })

async function code(clientId: string, extra: Record<string, unknown> = {}, service = 'tok'): Promise<string> {
  const res = await callTerminated(http, `/${service}/oauth2/authorize`, {
    json: { provision_key: `${service}-provision`, authenticated_userid: 'user1', client_id: clientId, response_type: 'code', scope: 'email', ...extra },
  })
  const m = /[?&]code=([A-Za-z0-9]{32})/.exec(res.body.redirect_uri ?? '')
  if (!m) throw new Error(`no code: ${res.text}`)
  return m[1]
}

beforeAll(async () => {
  gw = await startOAuthGateway()
  http = gw.proxies[0].url
  const all = { enable_authorization_code: true, enable_client_credentials: true, enable_password_grant: true, accept_http_if_already_terminated: true }
  const api = await oauthApi(gw, 'tok', { scopes: ['email', 'profile'], ...all }, { client_id: ID, client_secret: SECRET, redirect_uris: ['http://google.test/kong'] })
  consumer = api.consumer.id
  pluginId = api.plugin.id
  const cred = (body: Record<string, unknown>) => write(gw, 'POST', `/consumers/${consumer}/oauth2`, { redirect_uris: ['http://google.test/kong'], ...body })
  await cred({ name: 'hashed', client_id: 'hashed', client_secret: 'hashed-secret', hash_secret: true })
  await cred({ name: 'public', client_id: 'public', client_type: 'public' })
  await cred({ name: 'colon', client_id: 'colon', client_secret: 'a:b:c' })
  await cred({ name: 'machine', client_id: 'machine', client_secret: 'machine-secret', redirect_uris: null })
  await cred({ name: 'other', client_id: 'other', client_secret: 'other-secret' })
  await oauthApi(gw, 'reuse', { scopes: ['email'], reuse_refresh_token: true, ...all }, { client_id: 'reuser', client_secret: 'rs', redirect_uris: ['http://google.test/kong'] })
  await oauthApi(gw, 'noexp', { token_expiration: 0, ...all }, { client_id: 'forever', client_secret: 'fs', redirect_uris: ['http://google.test/kong'] })
})
afterAll(() => gw?.stop())

describe('oauth2 token endpoint: client authentication', () => {
  it('answers 405 invalid_method to GET', async () => {
    const res = await call(http, '/tok/oauth2/token')
    expect(res.status).toBe(405)
    expect(res.body.error_description).toBe('The HTTP method GET is invalid for the token endpoint')
  })

  it('refuses an unsupported or missing grant type', async () => {
    for (const grant_type of ['implicit', undefined]) {
      const res = await token({ grant_type, client_id: ID, client_secret: SECRET })
      expect(res.status).toBe(400)
      expect(res.body).toEqual({ error: 'unsupported_grant_type', error_description: 'Invalid grant_type' })
    }
  })

  it('answers 400 invalid_client to a wrong secret in parameters, 401 with a Basic challenge in the header', async () => {
    const params = await token({ grant_type: 'password', client_id: ID, client_secret: 'wrong', provision_key: 'tok-provision', authenticated_userid: 'u' })
    expect(params.status).toBe(400)
    expect(params.body).toEqual({ error: 'invalid_client', error_description: 'Invalid client authentication' })
    const header = await token({ grant_type: 'password', provision_key: 'tok-provision', authenticated_userid: 'u', state: 's' }, basic(ID, 'wrong'))
    expect(header.status).toBe(401)
    expect(header.headers['www-authenticate']).toBe('Basic realm="OAuth2.0"')
    expect(header.body).toEqual({ error: 'invalid_client', error_description: 'Invalid client authentication', state: 's' })
  })

  it('accepts Basic credentials, splitting at the first colon only', async () => {
    const ok = await token({ grant_type: 'client_credentials' }, basic('colon', 'a:b:c'))
    expect(ok.status).toBe(200)
    expect(ok.headers['cache-control']).toBe('no-store')
  })

  it('verifies hashed secrets', async () => {
    expect((await token({ grant_type: 'client_credentials', client_id: 'hashed', client_secret: 'hashed-secret' })).status).toBe(200)
    expect((await token({ grant_type: 'client_credentials', client_id: 'hashed', client_secret: 'nope' })).body.error).toBe('invalid_client')
  })

  it('refuses a secret from a public client', async () => {
    const res = await token({ grant_type: 'client_credentials', client_id: 'public', client_secret: 'x' })
    expect(res.body).toEqual({ error: 'invalid_request', error_description: 'client_secret is disallowed for public clients' })
  })

  it('needs redirect URIs for every grant but client_credentials', async () => {
    const pw = await token({ grant_type: 'password', client_id: 'machine', client_secret: 'machine-secret', provision_key: 'tok-provision', authenticated_userid: 'u' })
    expect(pw.body.error).toBe('invalid_client')
    expect((await token({ grant_type: 'client_credentials', client_id: 'machine', client_secret: 'machine-secret', redirect_uri: 'http://bogus.test/' })).status).toBe(200)
  })

  it('refuses a redirect_uri that is not registered', async () => {
    const res = await token({ grant_type: 'password', client_id: ID, client_secret: SECRET, redirect_uri: 'http://evil.test/', provision_key: 'tok-provision', authenticated_userid: 'u' })
    expect(res.body.error).toBe('invalid_request')
  })
})

describe('oauth2 token endpoint: authorization_code', () => {
  it('exchanges a code once, with the state echoed', async () => {
    const c = await code(ID)
    const res = await token({ grant_type: 'authorization_code', client_id: ID, client_secret: SECRET, code: c, state: 'xyz' })
    expect(res.status).toBe(200)
    expect(res.body).toEqual({ access_token: expect.any(String), refresh_token: expect.any(String), token_type: 'bearer', expires_in: 7200, state: 'xyz' })
    const again = await token({ grant_type: 'authorization_code', client_id: ID, client_secret: SECRET, code: c })
    expect(again.body).toEqual({ error: 'invalid_request', error_description: 'Invalid code' })
  })

  it('refuses a code issued to another client, an unknown code and a missing one', async () => {
    const c = await code(ID)
    for (const body of [{ code: c, client_id: 'other', client_secret: 'other-secret' }, { code: 'nope' }, {}]) {
      const res = await token({ grant_type: 'authorization_code', client_id: ID, client_secret: SECRET, ...body })
      expect(res.body.error_description).toBe('Invalid code')
    }
    expect((await token({ grant_type: 'authorization_code', client_id: ID, client_secret: SECRET, code: c })).status).toBe(200)
  })

  it('checks the PKCE verifier of a code made with a challenge, even for a confidential client', async () => {
    const c = await code(ID, { code_challenge: CHALLENGE })
    const base = { grant_type: 'authorization_code', client_id: ID, client_secret: SECRET, code: c }
    expect((await token(base)).body.error_description).toBe('code_verifier is required for PKCE authorization requests')
    expect((await token({ ...base, code_verifier: 'short' })).body.error_description).toBe('code_verifier must be between 43 and 128 characters')
    expect((await token({ ...base, code_verifier: 'w'.repeat(64) })).body).toEqual({ error: 'invalid_grant', error_description: 'Invalid code' })
    expect((await token({ ...base, code_verifier: VERIFIER })).status).toBe(200)
  })

  it('lets a public client exchange its code with a verifier and no secret', async () => {
    const c = await code('public', { code_challenge: CHALLENGE })
    const res = await token({ grant_type: 'authorization_code', client_id: 'public', code: c, code_verifier: VERIFIER })
    expect(res.status).toBe(200)
    expect(res.body.refresh_token).toMatch(/^[A-Za-z0-9]{32}$/)
  })
})

describe('oauth2 token endpoint: client_credentials and password', () => {
  it('issues client_credentials tokens without a refresh token', async () => {
    const res = await token({ grant_type: 'client_credentials', client_id: ID, client_secret: SECRET, scope: 'profile' })
    expect(res.body).toEqual({ access_token: expect.any(String), token_type: 'bearer', expires_in: 7200 })
    const up = await call(http, '/tok/x', { headers: bearer(res.body.access_token) })
    expect(up.body.headers['x-authenticated-scope']).toBe('profile')
    expect(up.body.headers['x-authenticated-userid']).toBeUndefined()
  })

  it('needs the provision key only to vouch for a user id in client_credentials', async () => {
    const bad = await token({ grant_type: 'client_credentials', client_id: ID, client_secret: SECRET, authenticated_userid: 'u' })
    expect(bad.body).toEqual({ error: 'invalid_provision_key', error_description: 'Invalid provision_key' })
    const ok = await token({ grant_type: 'client_credentials', client_id: ID, client_secret: SECRET, authenticated_userid: 'u', provision_key: 'tok-provision' })
    expect((await call(http, '/tok/x', { headers: bearer(ok.body.access_token) })).body.headers['x-authenticated-userid']).toBe('u')
  })

  it('answers 400 invalid_client to an unknown client_credentials client, even from the header', async () => {
    const res = await token({ grant_type: 'client_credentials' }, basic('ghost', 'x'))
    expect(res.status).toBe(400)
    expect(res.body.error).toBe('invalid_client')
  })

  it('runs the password grant: provision key, user id, scope, and a refresh token', async () => {
    const base = { grant_type: 'password', client_id: ID, client_secret: SECRET }
    expect((await token({ ...base, provision_key: 'x', authenticated_userid: 'u' })).body.error).toBe('invalid_provision_key')
    expect((await token({ ...base, provision_key: 'tok-provision' })).body.error).toBe('invalid_authenticated_userid')
    expect((await token({ ...base, provision_key: 'tok-provision', authenticated_userid: 'u', scope: 'admin' })).body).toEqual({
      error: 'invalid_scope', error_description: '"admin" is an invalid scope',
    })
    const ok = await token({ ...base, provision_key: 'tok-provision', authenticated_userid: 'u', scope: 'email' })
    expect(ok.body.refresh_token).toMatch(/^[A-Za-z0-9]{32}$/)
  })
})

describe('oauth2 token endpoint: refresh_token', () => {
  const pair = async (service = 'tok', id = ID, secret = SECRET) =>
    (await token({ grant_type: 'password', client_id: id, client_secret: secret, provision_key: `${service}-provision`, authenticated_userid: 'u', scope: 'email' }, {}, service)).body

  it('refuses an unknown refresh token and one of another client', async () => {
    expect((await token({ grant_type: 'refresh_token', client_id: ID, client_secret: SECRET, refresh_token: 'nope' })).body.error_description).toBe('Invalid refresh_token')
    const p = await pair()
    const other = await token({ grant_type: 'refresh_token', client_id: 'other', client_secret: 'other-secret', refresh_token: p.refresh_token })
    expect(other.status).toBe(400)
    expect(other.body).toEqual({ error: 'invalid_client', error_description: 'Invalid client authentication' })
  })

  it('lets only one of two concurrent refreshes of the same token succeed', async () => {
    const p = await pair()
    const body = { grant_type: 'refresh_token', client_id: ID, client_secret: SECRET, refresh_token: p.refresh_token }
    const results = await Promise.all([token(body), token(body)])
    expect(results.map((r) => r.status).sort()).toEqual([200, 400])
  })

  it('keeps the refresh token with reuse_refresh_token but replaces the access token', async () => {
    const p = await pair('reuse', 'reuser', 'rs')
    const res = await token({ grant_type: 'refresh_token', client_id: 'reuser', client_secret: 'rs', refresh_token: p.refresh_token }, {}, 'reuse')
    expect(res.body.refresh_token).toBe(p.refresh_token)
    expect(res.body.access_token).not.toBe(p.access_token)
    expect((await call(http, '/reuse/x', { headers: bearer(p.access_token) })).status).toBe(401)
    expect((await call(http, '/reuse/x', { headers: bearer(res.body.access_token) })).status).toBe(200)
    const again = await token({ grant_type: 'refresh_token', client_id: 'reuser', client_secret: 'rs', refresh_token: p.refresh_token }, {}, 'reuse')
    expect(again.status).toBe(200)
  })

  it('issues neither expires_in nor a refresh token when tokens never expire', async () => {
    const res = await token({ grant_type: 'password', client_id: 'forever', client_secret: 'fs', provision_key: 'noexp-provision', authenticated_userid: 'u' }, {}, 'noexp')
    expect(res.body).toEqual({ access_token: expect.any(String), token_type: 'bearer' })
  })

  it('refuses to refresh a token whose scope the plugin no longer offers', async () => {
    const p = (await token({ grant_type: 'password', client_id: ID, client_secret: SECRET, provision_key: 'tok-provision', authenticated_userid: 'u', scope: 'profile' })).body
    await write(gw, 'PATCH', `/plugins/${pluginId}`, { config: { scopes: ['email'] } })
    const res = await token({ grant_type: 'refresh_token', client_id: ID, client_secret: SECRET, refresh_token: p.refresh_token })
    expect(res.body).toEqual({ error: 'invalid_scope', error_description: 'Scope mismatch' })
  })
})
