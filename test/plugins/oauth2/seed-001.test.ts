// Seed 001 as written (hosts and ports aside): Step On's API behind the gateway, the oauth2 plugin as its
// authorization server, Shoe Fly Shoe as the client, Clark's code exchanged and refreshed — over TLS.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bearer, call, startOAuthGateway, write, type OAuthGateway } from './gateway.ts'

let gw: OAuthGateway
let proxy: string
const shared: Record<string, any> = {}

beforeAll(async () => {
  gw = await startOAuthGateway()
  proxy = gw.proxies[0].tlsUrl
})
afterAll(() => gw?.stop())

describe('seed 001: authorizing services with the oauth2 plugin', () => {
  it('puts the step count API behind the gateway on /stepon', async () => {
    await write(gw, 'POST', '/services', { name: 'step-on-api-server', url: gw.upstream.url })
    await write(gw, 'POST', '/routes', { name: 'step-on', paths: ['/stepon'], service: { name: 'step-on-api-server' } })
    const res = await call(proxy, '/stepon/stepcounts', { headers: { 'mock-logged-in-as': 'clark' } })
    expect(res.status).toBe(200)
    expect(res.body.path).toBe('/stepcounts')
  })

  it('rejects requests without an access token once the plugin is enabled', async () => {
    const plugin = await write(gw, 'POST', '/services/step-on-api-server/plugins', {
      name: 'oauth2',
      config: { scopes: ['user_profile', 'biometric', 'step_counts'], mandatory_scope: true, enable_authorization_code: true },
    })
    expect(plugin.config.provision_key).toMatch(/^[A-Za-z0-9]{32}$/)
    shared.provisionKey = plugin.config.provision_key
    const res = await call(proxy, '/stepon/stepcounts', { headers: { 'mock-logged-in-as': 'clark' } })
    expect(res.status).toBe(401)
    expect(res.body).toEqual({ error: 'invalid_request', error_description: 'The access token is missing' })
    expect(res.headers['www-authenticate']).toBe('Bearer')
  })

  it('registers Shoe Fly Shoe as a consumer with oauth2 credentials', async () => {
    await write(gw, 'POST', '/consumers', { username: 'shoeflyshoe' })
    const cred = await write(gw, 'POST', '/consumers/shoeflyshoe/oauth2', {
      name: 'Shoe Fly Shoe Customer Rewards',
      redirect_uris: ['https://shoeflyshoe.store/stepon-callback'],
    })
    expect(cred.client_id).toMatch(/^[A-Za-z0-9]{32}$/)
    expect(cred.client_secret).toMatch(/^[A-Za-z0-9]{32}$/)
    Object.assign(shared, { clientId: cred.client_id, clientSecret: cred.client_secret })
  })

  it("issues a code redirect when Step On's web server authorizes Clark", async () => {
    const res = await call(proxy, '/stepon/oauth2/authorize', {
      json: { client_id: shared.clientId, response_type: 'code', scope: 'step_counts', provision_key: shared.provisionKey, authenticated_userid: 'clark' },
    })
    expect(res.status).toBe(200)
    expect(res.headers['cache-control']).toBe('no-store')
    const m = /^https:\/\/shoeflyshoe\.store\/stepon-callback\?code=([A-Za-z0-9]{32})$/.exec(res.body.redirect_uri)
    expect(m).not.toBeNull()
    shared.code = m![1]
  })

  it('exchanges the code for an access token that expires in two hours and a refresh token', async () => {
    const res = await call(proxy, '/stepon/oauth2/token', {
      json: { grant_type: 'authorization_code', client_id: shared.clientId, client_secret: shared.clientSecret, code: shared.code },
    })
    expect(res.status).toBe(200)
    expect(res.body).toEqual({ access_token: expect.stringMatching(/^[A-Za-z0-9]{32}$/), refresh_token: expect.stringMatching(/^[A-Za-z0-9]{32}$/), token_type: 'bearer', expires_in: 7200 })
    Object.assign(shared, { accessToken: res.body.access_token, refreshToken: res.body.refresh_token })
  })

  it("lets the store read Clark's step counts, telling the API who, for whom and with which scope", async () => {
    const res = await call(proxy, '/stepon/stepcounts', { headers: bearer(shared.accessToken) })
    expect(res.status).toBe(200)
    const headers = res.body.headers
    expect(headers['x-consumer-username']).toBe('shoeflyshoe')
    expect(headers['x-authenticated-userid']).toBe('clark')
    expect(headers['x-authenticated-scope']).toBe('step_counts')
    expect(headers['x-credential-identifier']).toBe(shared.clientId)
  })

  it('refreshes the token, which invalidates the original access and refresh tokens', async () => {
    const res = await call(proxy, '/stepon/oauth2/token', {
      json: { grant_type: 'refresh_token', client_id: shared.clientId, client_secret: shared.clientSecret, refresh_token: shared.refreshToken },
    })
    expect(res.status).toBe(200)
    expect(res.body.access_token).not.toBe(shared.accessToken)
    expect(res.body.refresh_token).not.toBe(shared.refreshToken)
    expect((await call(proxy, '/stepon/stepcounts', { headers: bearer(res.body.access_token) })).status).toBe(200)
    const old = await call(proxy, '/stepon/stepcounts', { headers: bearer(shared.accessToken) })
    expect(old.status).toBe(401)
    expect(old.body.error).toBe('invalid_token')
    const again = await call(proxy, '/stepon/oauth2/token', {
      json: { grant_type: 'refresh_token', client_id: shared.clientId, client_secret: shared.clientSecret, refresh_token: shared.refreshToken },
    })
    expect(again.status).toBe(400)
    expect(again.body).toEqual({ error: 'invalid_request', error_description: 'Invalid refresh_token' })
  })

  it('refuses the authorization endpoint over plain HTTP', async () => {
    const res = await call(gw.proxies[0].url, '/stepon/oauth2/token', { json: { grant_type: 'authorization_code' } })
    expect(res.status).toBe(400)
    expect(res.body).toEqual({ error: 'access_denied', error_description: 'You must use HTTPS' })
  })
})
