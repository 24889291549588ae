// Beyond Kong: several proxies on one token store. Tokens and codes minted by one proxy work on the others at
// once; refreshes, revocations and credential deletions reach all of them; RFC 7662/7009; expired rows purged.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bearer, call, callTerminated, eventually, startOAuthGateway, write, type OAuthGateway } from './gateway.ts'

let gw: OAuthGateway
let a: string
let b: string
const client = { client_id: 'shared-app', client_secret: 'shared-secret' }

const tokenAt = (proxy: string, body: Record<string, unknown>, service = 'shared') => callTerminated(proxy, `/${service}/oauth2/token`, { json: { ...client, ...body } })
const passwordPair = async (proxy: string, service = 'shared') =>
  (await tokenAt(proxy, { grant_type: 'password', provision_key: 'pk', authenticated_userid: 'clark', scope: 'email' }, service)).body
const status = async (proxy: string, token: string, service = 'shared') => (await call(proxy, `/${service}/x`, { headers: bearer(token) })).status

beforeAll(async () => {
  gw = await startOAuthGateway(2)
  ;[a, b] = gw.proxies.map((p) => p.url)
  const grants = { enable_authorization_code: true, enable_password_grant: true, accept_http_if_already_terminated: true, provision_key: 'pk', scopes: ['email'] }
  for (const [name, extra] of [['shared', { enable_introspection_endpoint: true, enable_revocation_endpoint: true }], ['ephemeral', { token_expiration: 1, refresh_token_ttl: 1 }]] as const) {
    await write(gw, 'POST', '/services', { name, url: gw.upstream.url })
    await write(gw, 'POST', `/services/${name}/routes`, { paths: [`/${name}`] })
    await write(gw, 'POST', `/services/${name}/plugins`, { name: 'oauth2', config: { ...grants, ...extra } })
  }
  await write(gw, 'POST', '/consumers', { username: 'shared-owner' })
  await write(gw, 'POST', '/consumers/shared-owner/oauth2', { name: 'app', ...client, redirect_uris: ['http://app.test/cb'] })
  await write(gw, 'POST', '/consumers/shared-owner/oauth2', { name: 'other', client_id: 'other', client_secret: 'other-secret', redirect_uris: ['http://app.test/cb'] })
})
afterAll(() => gw?.stop())

describe('oauth2 across proxies', () => {
  it('accepts on every proxy at once a token minted by one', async () => {
    const pair = await passwordPair(a)
    expect(await status(b, pair.access_token)).toBe(200)
    expect(await status(a, pair.access_token)).toBe(200)
  })

  it('exchanges on one proxy a code issued by another, once', async () => {
    const auth = await callTerminated(a, '/shared/oauth2/authorize', {
      json: { client_id: client.client_id, response_type: 'code', scope: 'email', provision_key: 'pk', authenticated_userid: 'clark' },
    })
    const code = /code=(\w+)/.exec(auth.body.redirect_uri)![1]
    const results = await Promise.all([tokenAt(a, { grant_type: 'authorization_code', code }), tokenAt(b, { grant_type: 'authorization_code', code })])
    expect(results.map((r) => r.status).sort()).toEqual([200, 400])
    const winner = results.find((r) => r.status === 200)!
    expect(await status(a, winner.body.access_token)).toBe(200)
  })

  it('invalidates on every proxy the pair a refresh on one proxy replaced', async () => {
    const pair = await passwordPair(a)
    expect(await status(a, pair.access_token)).toBe(200) // now in proxy A's cache
    const fresh = await tokenAt(b, { grant_type: 'refresh_token', refresh_token: pair.refresh_token })
    expect(fresh.status).toBe(200)
    expect(await status(b, pair.access_token)).toBe(401)
    await eventually(async () => (await status(a, pair.access_token)) === 401, 3000)
    expect(await status(a, fresh.body.access_token)).toBe(200)
  })

  it('revokes a token on every proxy when the admin deletes it', async () => {
    const pair = await passwordPair(a)
    expect(await status(a, pair.access_token)).toBe(200)
    expect(await status(b, pair.access_token)).toBe(200)
    await write(gw, 'DELETE', `/oauth2_tokens/${pair.access_token}`)
    expect(await status(a, pair.access_token)).toBe(401)
    expect(await status(b, pair.access_token)).toBe(401)
  })

  it("refuses everywhere the tokens of a credential the admin deleted", async () => {
    await write(gw, 'POST', '/consumers/shared-owner/oauth2', { name: 'temp', client_id: 'temp', client_secret: 'temp-secret', redirect_uris: ['http://app.test/cb'] })
    const t = (await tokenAt(a, { grant_type: 'password', provision_key: 'pk', authenticated_userid: 'u', client_id: 'temp', client_secret: 'temp-secret' })).body.access_token
    expect(await status(b, t)).toBe(200)
    await write(gw, 'DELETE', '/oauth2/temp')
    expect(await status(a, t)).toBe(401)
    expect(await status(b, t)).toBe(401)
  })
})

describe('oauth2 introspection and revocation endpoints (RFC 7662, RFC 7009)', () => {
  it("describes the client's own active token", async () => {
    const pair = await passwordPair(a)
    const res = await callTerminated(b, '/shared/oauth2/introspect', { form: { ...client, token: pair.access_token } })
    expect(res.status).toBe(200)
    expect(res.headers['cache-control']).toBe('no-store')
    expect(res.body).toMatchObject({ active: true, client_id: 'shared-app', token_type: 'bearer', scope: 'email', sub: 'clark', username: 'clark' })
    expect(res.body.exp - res.body.iat).toBe(7200)
  })

  it("reports another client's token and unknown tokens as inactive", async () => {
    const pair = await passwordPair(a)
    const other = await callTerminated(b, '/shared/oauth2/introspect', { form: { client_id: 'other', client_secret: 'other-secret', token: pair.access_token } })
    expect(other.body).toEqual({ active: false })
    expect((await callTerminated(b, '/shared/oauth2/introspect', { form: { ...client, token: 'nope' } })).body).toEqual({ active: false })
  })

  it('authenticates the client, with a Basic challenge for header credentials', async () => {
    const res = await callTerminated(b, '/shared/oauth2/introspect', {
      form: { token: 'x' },
      headers: { authorization: `Basic ${Buffer.from('shared-app:wrong').toString('base64')}` },
    })
    expect(res.status).toBe(401)
    expect(res.headers['www-authenticate']).toBe('Basic realm="OAuth2.0"')
    expect((await callTerminated(b, '/shared/oauth2/introspect', { form: { ...client } })).body.error).toBe('invalid_request')
  })

  it('revokes on one proxy a token that then fails on every proxy', async () => {
    const pair = await passwordPair(a)
    expect(await status(b, pair.access_token)).toBe(200)
    const res = await callTerminated(a, '/shared/oauth2/revoke', { form: { ...client, token: pair.refresh_token, token_type_hint: 'refresh_token' } })
    expect(res.status).toBe(200)
    expect(res.text).toBe('')
    expect(await status(a, pair.access_token)).toBe(401)
    await eventually(async () => (await status(b, pair.access_token)) === 401, 3000)
    expect((await callTerminated(a, '/shared/oauth2/revoke', { form: { ...client, token: pair.access_token } })).status).toBe(200)
  })

  it('keeps the endpoints closed unless enabled', async () => {
    const res = await callTerminated(a, '/ephemeral/oauth2/introspect', { form: { ...client, token: 'x' } })
    expect(res.status).toBe(401)
    expect(res.body.error_description).toBe('The access token is missing')
  })
})

describe('oauth2 purge', () => {
  it('hides rows past refresh_token_ttl at once and purges them from the store', async () => {
    const pair = await passwordPair(a, 'ephemeral')
    expect(pair.expires_in).toBe(1)
    expect((await gw.api.get(`/oauth2_tokens/${pair.access_token}`)).status).toBe(200)
    await new Promise((r) => setTimeout(r, 2100))
    const refresh = await tokenAt(b, { grant_type: 'refresh_token', refresh_token: pair.refresh_token }, 'ephemeral')
    expect(refresh.body.error_description).toBe('Invalid refresh_token')
    await gw.addProxy() // a proxy sweeps when it opens the store, then every minute
    expect((await gw.api.get(`/oauth2_tokens/${pair.access_token}`)).status).toBe(404)
  })
})
