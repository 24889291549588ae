// Resource requests through the oauth2 plugin (Kong's 03-access_spec "Making a request"): where the token
// comes from, 401 bodies and challenges, service binding, expiry, upstream headers, hiding, anonymous.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bearer, call, callTerminated, startOAuthGateway, write, type OAuthGateway } from './gateway.ts'

let gw: OAuthGateway
let http: string
let consumer: any
let guest: any

const PLUGINS: Record<string, Record<string, unknown>> = {
  res: { scopes: ['email', 'profile'] },
  other: {},
  custom: { auth_header_name: 'custom_header_name' },
  realm: { realm: 'svc' },
  hide: { hide_credentials: true },
  anon: { anonymous: 'guest' },
  ghost: { anonymous: 'ghost' },
  short: { token_expiration: 1 },
  'global-a': { global_credentials: true },
  'global-b': { global_credentials: true },
}

/** A client_credentials token minted at `service`. */
async function mint(service: string, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await callTerminated(http, `/${service}/oauth2/token`, { json: { grant_type: 'client_credentials', client_id: 'app', client_secret: 'app-secret', ...extra } })
  if (res.status !== 200) throw new Error(res.text)
  return res.body.access_token
}

beforeAll(async () => {
  gw = await startOAuthGateway()
  http = gw.proxies[0].url
  for (const [name, config] of Object.entries(PLUGINS)) {
    await write(gw, 'POST', '/services', { name, url: gw.upstream.url })
    await write(gw, 'POST', `/services/${name}/routes`, { paths: [`/${name}`] })
    await write(gw, 'POST', `/services/${name}/plugins`, { name: 'oauth2', config: { enable_client_credentials: true, accept_http_if_already_terminated: true, provision_key: 'pk', ...config } })
  }
  consumer = await write(gw, 'POST', '/consumers', { username: 'app-owner', custom_id: 'app-cid' })
  guest = await write(gw, 'POST', '/consumers', { username: 'guest' })
  await write(gw, 'POST', '/consumers/app-owner/oauth2', { name: 'app', client_id: 'app', client_secret: 'app-secret', redirect_uris: ['http://app.test/'] })
})
afterAll(() => gw?.stop())

describe('oauth2 resource requests', () => {
  it('answers 401 invalid_request with a bare Bearer challenge when the token is missing', async () => {
    const res = await call(http, '/res/x')
    expect(res.status).toBe(401)
    expect(res.body).toEqual({ error: 'invalid_request', error_description: 'The access token is missing' })
    expect(res.headers['www-authenticate']).toBe('Bearer')
    expect((await call(http, '/realm/x')).headers['www-authenticate']).toBe('Bearer realm="svc"')
  })

  it('answers 401 invalid_token with an error challenge for an unknown token', async () => {
    const res = await call(http, '/res/x', { headers: bearer('nope') })
    expect(res.status).toBe(401)
    expect(res.body).toEqual({ error: 'invalid_token', error_description: 'The access token is invalid or has expired' })
    expect(res.headers['www-authenticate']).toBe('Bearer error="invalid_token", error_description="The access token is invalid or has expired"')
    expect((await call(http, '/realm/x', { headers: bearer('nope') })).headers['www-authenticate']).toBe(
      'Bearer realm="svc", error="invalid_token", error_description="The access token is invalid or has expired"',
    )
  })

  it('reads the token as Bearer, Token or a raw header value, or from the query or a form body', async () => {
    const t = await mint('res')
    expect((await call(http, '/res/x', { headers: { authorization: `bearer ${t}` } })).status).toBe(200)
    expect((await call(http, '/res/x', { headers: { authorization: `Token ${t}` } })).status).toBe(200)
    expect((await call(http, '/res/x', { headers: { authorization: t } })).status).toBe(200)
    expect((await call(http, `/res/x?access_token=${t}`)).status).toBe(200)
    expect((await call(http, '/res/x', { form: { access_token: t } })).status).toBe(200)
    expect((await call(http, '/res/x', { json: { access_token: t } })).status).toBe(200)
  })

  it('counts a repeated access_token parameter as missing, and ignores the query once the header is present', async () => {
    const t = await mint('res')
    expect((await call(http, `/res/x?access_token=${t}&access_token=${t}`)).body.error_description).toBe('The access token is missing')
    expect((await call(http, `/res/x?access_token=${t}`, { headers: { authorization: 'Basic abc' } })).body.error).toBe('invalid_token')
  })

  it('reads the first of repeated custom token headers, and an empty one as missing', async () => {
    const t = await mint('custom')
    expect((await call(http, '/custom/x', { headers: { custom_header_name: [`bearer ${t}`, `bearer ${t}`] } })).status).toBe(200)
    const empty = await call(http, '/custom/x', { headers: { custom_header_name: '' } })
    expect(empty.status).toBe(401)
    expect(empty.headers['www-authenticate']).toBe('Bearer')
  })

  it('sets the identity headers and replaces those the client sent', async () => {
    const t = await mint('res', { scope: 'email profile', provision_key: 'pk', authenticated_userid: 'clark' })
    const res = await call(http, '/res/x', { headers: { ...bearer(t), 'x-authenticated-scope': 'admin', 'x-consumer-username': 'root', 'x-anonymous-consumer': 'true' } })
    expect(res.status).toBe(200)
    const h = res.body.headers
    expect(h).toMatchObject({
      'x-consumer-id': consumer.id, 'x-consumer-custom-id': 'app-cid', 'x-consumer-username': 'app-owner', 'x-credential-identifier': 'app',
      'x-authenticated-scope': 'email profile', 'x-authenticated-userid': 'clark',
    })
    expect(h['x-anonymous-consumer']).toBeUndefined()
    expect(h.authorization).toBe(`Bearer ${t}`)
  })

  it('removes client-sent X-Authenticated-* headers when the token has no scope or user', async () => {
    const t = await mint('res')
    const h = (await call(http, '/res/x', { headers: { ...bearer(t), 'x-authenticated-scope': 'admin', 'x-authenticated-userid': 'root' } })).body.headers
    expect(h['x-authenticated-scope']).toBeUndefined()
    expect(h['x-authenticated-userid']).toBeUndefined()
  })

  it('accepts a token only on the service it was issued for', async () => {
    const t = await mint('res')
    expect((await call(http, '/other/x', { headers: bearer(t) })).body.error).toBe('invalid_token')
  })

  it('shares global tokens between global plugins and refuses them on other plugins, anonymous or not', async () => {
    const t = await mint('global-a')
    expect((await call(http, '/global-b/x', { headers: bearer(t) })).status).toBe(200)
    for (const service of ['res', 'anon']) {
      const res = await call(http, `/${service}/x`, { headers: bearer(t) })
      expect(res.status).toBe(401)
      expect(res.body.error_description).toBe("The access token is global, but the current plugin is configured without 'global_credentials'")
    }
  })

  it('refuses a token once its expires_in has passed', async () => {
    const t = await mint('short')
    expect((await call(http, '/short/x', { headers: bearer(t) })).status).toBe(200)
    await new Promise((r) => setTimeout(r, 2100))
    expect((await call(http, '/short/x', { headers: bearer(t) })).body.error).toBe('invalid_token')
  })

  it('hides the token from the upstream: the header, or the query and form parameter', async () => {
    const t = await mint('hide')
    expect((await call(http, '/hide/x', { headers: bearer(t) })).body.headers.authorization).toBeUndefined()
    const q = await call(http, `/hide/x?a=1&access_token=${t}`)
    expect(q.body.url).toBe('/x?a=1')
    const form = await call(http, '/hide/x', { form: { access_token: t, keep: 'me' } })
    expect(form.body.body).toBe('keep=me')
  })

  it('lets requests without a valid token through as the anonymous consumer', async () => {
    for (const headers of [{}, bearer('nope')]) {
      const res = await call(http, '/anon/x', { headers: { ...headers, 'x-authenticated-userid': 'root' } })
      expect(res.status).toBe(200)
      expect(res.body.headers).toMatchObject({ 'x-consumer-id': guest.id, 'x-consumer-username': 'guest', 'x-anonymous-consumer': 'true' })
      expect(res.body.headers['x-authenticated-userid']).toBeUndefined()
      expect(res.body.headers['x-credential-identifier']).toBeUndefined()
    }
    const t = await mint('anon')
    expect((await call(http, '/anon/x', { headers: bearer(t) })).body.headers['x-consumer-username']).toBe('app-owner')
  })

  it('answers 500 when the anonymous consumer does not exist', async () => {
    const res = await call(http, '/ghost/x')
    expect(res.status).toBe(500)
    expect(res.body.message).toBe("anonymous consumer ghost is configured but doesn't exist")
  })
})

describe('oauth2 invalidation', () => {
  it('refuses a token deleted on the admin as soon as the change is applied, even if cached', async () => {
    const t = await mint('res')
    expect((await call(http, '/res/x', { headers: bearer(t) })).status).toBe(200)
    await write(gw, 'DELETE', `/oauth2_tokens/${t}`)
    expect((await call(http, '/res/x', { headers: bearer(t) })).status).toBe(401)
  })

  it("refuses a deleted credential's tokens", async () => {
    const cred = await write(gw, 'POST', '/consumers/app-owner/oauth2', { name: 'temp', client_id: 'temp', client_secret: 'temp-secret' })
    const t = (await callTerminated(http, '/res/oauth2/token', { json: { grant_type: 'client_credentials', client_id: 'temp', client_secret: 'temp-secret' } })).body.access_token
    expect((await call(http, '/res/x', { headers: bearer(t) })).status).toBe(200)
    await write(gw, 'DELETE', `/oauth2/${cred.id}`)
    expect((await call(http, '/res/x', { headers: bearer(t) })).status).toBe(401)
  })

  it('keeps tokens across a proxy restart', async () => {
    const t = await mint('res')
    const old = gw.proxies.pop()!
    await old.stop()
    const fresh = await gw.addProxy()
    await gw.sync(gw.lastVersion)
    expect((await call(fresh.url, '/res/x', { headers: bearer(t) })).status).toBe(200)
    http = fresh.url
  })
})
