// POST .../oauth2/authorize (Kong's 03-access_spec "/oauth2/authorize"): HTTPS rule, provision key, response
// types, scopes, clients, redirects, PKCE, implicit tokens, and the JSON `{redirect_uri}` contract.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bearer, call, callTerminated, oauthApi, startOAuthGateway, write, type OAuthGateway } from './gateway.ts'

let gw: OAuthGateway
let http: string
let clientId: string
let publicId: string
let queryId: string
let bareId: string
const PROVISION = 'authz-provision'

const authorize = (body: Record<string, unknown>, path = '/authz/oauth2/authorize') =>
  callTerminated(http, path, { json: { provision_key: PROVISION, authenticated_userid: 'id123', response_type: 'code', scope: 'email', ...body } })

beforeAll(async () => {
  gw = await startOAuthGateway()
  http = gw.proxies[0].url
  const api = await oauthApi(
    gw,
    'authz',
    { scopes: ['email', 'profile', 'user.email'], mandatory_scope: true, enable_authorization_code: true, enable_implicit_grant: true, accept_http_if_already_terminated: true },
    { client_id: 'clientid123', redirect_uris: ['http://google.test/kong', 'http://one.test/cb'] },
  )
  clientId = api.client.client_id
  const c = api.consumer.id
  publicId = (await write(gw, 'POST', `/consumers/${c}/oauth2`, { name: 'spa', client_type: 'public', redirect_uris: ['http://spa.test/'] })).client_id
  queryId = (await write(gw, 'POST', `/consumers/${c}/oauth2`, { name: 'q', redirect_uris: ['http://google.test/kong?foo=bar&code=123'] })).client_id
  bareId = (await write(gw, 'POST', `/consumers/${c}/oauth2`, { name: 'no uris' })).client_id
})
afterAll(() => gw?.stop())

describe('oauth2 authorize endpoint', () => {
  it('answers 405 invalid_method to anything but POST', async () => {
    const res = await call(http, '/authz/oauth2/authorize')
    expect(res.status).toBe(405)
    expect(res.body).toEqual({ error: 'invalid_method', error_description: 'The HTTP method GET is invalid for the authorization endpoint' })
    expect(res.headers['www-authenticate']).toBe('Bearer error="invalid_method", error_description="The HTTP method GET is invalid for the authorization endpoint"')
  })

  it('refuses plain HTTP that was not terminated by a trusted proxy', async () => {
    const res = await call(http, '/authz/oauth2/authorize', { json: { provision_key: PROVISION, state: 'st' } })
    expect(res.status).toBe(400)
    expect(res.body).toEqual({ error: 'access_denied', error_description: 'You must use HTTPS', state: 'st' })
    expect(res.headers['cache-control']).toBe('no-store')
    expect(res.headers.pragma).toBe('no-cache')
  })

  it('refuses several X-Forwarded-Proto values', async () => {
    const headers = { 'x-forwarded-proto': ['https', 'http'] }
    const res = await call(http, '/authz/oauth2/authorize', { json: { provision_key: PROVISION }, headers })
    expect(res.body).toEqual({ error: 'access_denied', error_description: 'Only one X-Forwarded-Proto header allowed' })
  })

  it('works over the TLS listener', async () => {
    const res = await call(gw.proxies[0].tlsUrl, '/authz/oauth2/authorize', {
      json: { provision_key: PROVISION, authenticated_userid: 'id123', client_id: clientId, response_type: 'code', scope: 'email' },
    })
    expect(res.status).toBe(200)
    expect(res.body.redirect_uri).toMatch(/^http:\/\/google\.test\/kong\?code=[A-Za-z0-9]{32}$/)
  })

  it('answers a bare error to a wrong provision key or a missing user id', async () => {
    expect((await authorize({ provision_key: 'nope', client_id: clientId })).body).toEqual({ error: 'invalid_provision_key', error_description: 'Invalid provision_key' })
    const res = await authorize({ authenticated_userid: '  ', client_id: clientId, state: 'x' })
    expect(res.status).toBe(400)
    expect(res.body).toEqual({ error: 'invalid_authenticated_userid', error_description: 'Missing authenticated_userid parameter', state: 'x' })
  })

  it('redirects with unsupported_response_type and the state', async () => {
    const res = await authorize({ client_id: clientId, response_type: 'other', state: 'somestate' })
    expect(res.status).toBe(400)
    expect(res.body.redirect_uri).toBe('http://google.test/kong?error=unsupported_response_type&error_description=Invalid%20response_type&state=somestate')
  })

  it('redirects with invalid_scope for a missing or unknown scope', async () => {
    expect((await authorize({ client_id: clientId, scope: undefined })).body.redirect_uri).toBe('http://google.test/kong?error=invalid_scope&error_description=You%20must%20specify%20a%20scope')
    expect((await authorize({ client_id: clientId, scope: 'wot' })).body.redirect_uri).toBe(
      'http://google.test/kong?error=invalid_scope&error_description=%22wot%22%20is%20an%20invalid%20scope',
    )
  })

  it('answers a bare invalid_client for an unknown client or one without redirect URIs', async () => {
    for (const id of ['unknown', bareId]) {
      const res = await authorize({ client_id: id })
      expect(res.status).toBe(400)
      expect(res.body).toEqual({ error: 'invalid_client', error_description: 'Invalid client authentication' })
    }
  })

  it('sends a mismatching redirect_uri error to the first registered URI', async () => {
    const res = await authorize({ client_id: clientId, redirect_uri: 'http://hello.test/' })
    expect(res.body).toEqual({
      redirect_uri:
        'http://google.test/kong?error=invalid_request&error_description=Invalid%20redirect_uri%20that%20does%20not%20match%20with%20any%20redirect_uri%20created%20with%20the%20application',
    })
  })

  it('returns a code for any registered redirect_uri, with a trailing slash on the path too', async () => {
    const res = await authorize({ client_id: clientId, redirect_uri: 'http://one.test/cb', state: 'hello', scope: 'email  profile' }, '/authz/oauth2/authorize/')
    expect(res.status).toBe(200)
    expect(res.body.redirect_uri).toMatch(/^http:\/\/one\.test\/cb\?code=[A-Za-z0-9]{32}&state=hello$/)
  })

  it("merges the code into the registered URI's own query", async () => {
    const res = await authorize({ client_id: queryId })
    expect(res.body.redirect_uri).toMatch(/^http:\/\/google\.test\/kong\?code=[A-Za-z0-9]{32}&foo=bar$/)
  })

  it('issues an implicit token in the fragment, without a refresh token', async () => {
    const res = await authorize({ client_id: clientId, response_type: 'token', state: 'wot' })
    expect(res.status).toBe(200)
    const m = /^http:\/\/google\.test\/kong#access_token=([A-Za-z0-9]{32})&expires_in=7200&state=wot&token_type=bearer$/.exec(res.body.redirect_uri)
    expect(m).not.toBeNull()
    const resource = await call(http, '/authz/anything', { headers: bearer(m![1]) })
    expect(resource.status).toBe(200)
    expect(resource.body.headers['x-authenticated-scope']).toBe('email')
    const rows = (await gw.api.get(`/oauth2_tokens/${m![1]}`)).body
    expect(rows.refresh_token).toBeNull()
  })

  it('takes parameters from the query string, a form body or a multipart body', async () => {
    const q = new URLSearchParams({ provision_key: PROVISION, authenticated_userid: 'u', client_id: clientId, response_type: 'code', scope: 'email' })
    expect((await callTerminated(http, `/authz/oauth2/authorize?${q}`, { method: 'POST' })).status).toBe(200)
    const form = await callTerminated(http, '/authz/oauth2/authorize', { form: Object.fromEntries(q) })
    expect(form.status).toBe(200)
    const multipart = new FormData()
    for (const [k, v] of q) multipart.append(k, v)
    const req = new Request('http://x/', { method: 'POST', body: multipart })
    const raw = Buffer.from(await req.arrayBuffer())
    const mp = await callTerminated(http, '/authz/oauth2/authorize', { method: 'POST', headers: { 'content-type': req.headers.get('content-type')! }, raw })
    expect(mp.status).toBe(200)
  })

  it('ignores a body without a known content type', async () => {
    const res = await callTerminated(http, '/authz/oauth2/authorize', { method: 'POST', headers: { 'content-type': 'text/plain' }, raw: `provision_key=${PROVISION}` })
    expect(res.body).toEqual({ error: 'invalid_provision_key', error_description: 'Invalid provision_key' })
  })
})

describe('oauth2 authorize endpoint with PKCE', () => {
  const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM'

  it('requires a challenge of public clients', async () => {
    const res = await authorize({ client_id: publicId })
    expect(res.body.redirect_uri).toBe('http://spa.test/?error=invalid_request&error_description=code_challenge%20is%20required%20for%20public%20clients')
  })

  it('accepts an S256 challenge and refuses the plain method', async () => {
    expect((await authorize({ client_id: publicId, code_challenge: CHALLENGE })).body.redirect_uri).toMatch(/^http:\/\/spa\.test\/\?code=[A-Za-z0-9]{32}$/)
    expect((await authorize({ client_id: publicId, code_challenge: CHALLENGE, code_challenge_method: 'plain' })).body.redirect_uri).toBe(
      'http://spa.test/?error=invalid_request&error_description=code_challenge_method%20is%20not%20supported%2c%20must%20be%20S256',
    )
    expect((await authorize({ client_id: clientId, code_challenge_method: 'S256' })).body.redirect_uri).toContain('code_challenge%20is%20required%20when%20code_method%20is%20present')
  })
})
