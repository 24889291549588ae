// Seed 000, Curity's "Integrating with Kong Open Source", through the admin API: an opaque token goes in,
// the API behind the gateway receives a JWT it can verify; error responses are readable by a trusted SPA.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AUDIENCE } from '../../fixtures/idp.ts'
import { clientCredentialsToken, seedConfig, startWorld, type World } from './harness.ts'

let w: World
let pluginId: string

beforeAll(async () => {
  w = await startWorld()
  // kong.yml: service demo-api → <api>/api, route demo-api-route on /api, phantom-token on the route.
  await w.applied(await w.admin.post('/services', { name: 'demo-api', url: `${w.upstream.url}/api` }))
  await w.applied(await w.admin.post('/services/demo-api/routes', { name: 'demo-api-route', paths: ['/api'] }))
  const p = await w.admin.post('/routes/demo-api-route/plugins', { name: 'phantom-token', config: seedConfig(w.idp) })
  expect(p.status).toBe(201)
  pluginId = p.body.id
  await w.applied(p)
})
afterAll(async () => {
  await w?.stop()
})

describe('seed 000: phantom token with Kong open source', () => {
  it('rejects a made-up token with 401', async () => {
    const res = await fetch(`${w.proxy}/api/data`, { headers: { authorization: 'Bearer abc123' } })
    expect(res.status).toBe(401)
    expect(res.headers.get('www-authenticate')).toBe('Bearer')
    expect(await res.json()).toEqual({ code: 'unauthorized', message: 'Missing, invalid or expired access token' })
  })

  it('forwards a JWT the API can verify when the client sends a real opaque token', async () => {
    const token = await clientCredentialsToken(w.idp)
    const res = await fetch(`${w.proxy}/api/data`, { headers: { authorization: `Bearer ${token}` } })
    expect(res.status).toBe(200)
    const echoed = (await res.json()) as { path: string; headers: Record<string, string> }
    expect(echoed.path).toBe('/api/data')
    const [scheme, jwt] = echoed.headers.authorization.split(' ')
    expect(scheme).toBe('Bearer')
    expect(jwt).not.toContain(token)
    const claims = await w.idp.verify(jwt)
    expect(claims).toMatchObject({ scope: 'read', aud: AUDIENCE, client_id: 'api-client' })
  })

  it('lets the debugging curl introspect the token by hand and get the same kind of JWT', async () => {
    const token = await clientCredentialsToken(w.idp)
    const res = await fetch(w.idp.urls.introspect, {
      method: 'POST',
      headers: { authorization: 'Basic ' + Buffer.from('api-gateway-client:Password1').toString('base64'), accept: 'application/jwt', 'content-type': 'application/x-www-form-urlencoded' },
      body: `token=${token}`,
    })
    expect(res.status).toBe(200)
    expect(await w.idp.verify(await res.text())).toMatchObject({ scope: 'read' })
  })

  it('adds CORS headers to error responses once trusted_web_origins is configured', async () => {
    const before = await fetch(`${w.proxy}/api/data`, { headers: { authorization: 'Bearer abc123', origin: 'http://www.example.com' } })
    expect(before.headers.get('access-control-allow-origin')).toBeNull()
    const patched = await w.admin.patch(`/plugins/${pluginId}`, { config: seedConfig(w.idp, { trusted_web_origins: ['http://www.example.com'] }) })
    expect(patched.status).toBe(200)
    expect(patched.body.config.trusted_web_origins).toEqual(['http://www.example.com'])
    await w.applied(patched)
    const res = await fetch(`${w.proxy}/api/data`, { headers: { authorization: 'Bearer abc123', origin: 'http://www.example.com' } })
    expect(res.status).toBe(401)
    expect(res.headers.get('access-control-allow-origin')).toBe('http://www.example.com')
    expect(res.headers.get('access-control-allow-credentials')).toBe('true')
    const stranger = await fetch(`${w.proxy}/api/data`, { headers: { authorization: 'Bearer abc123', origin: 'http://evil.example.com' } })
    expect(stranger.headers.get('access-control-allow-origin')).toBeNull()
  })

  it("returns seed 000's YAML config with defaults from the admin API", async () => {
    const res = await w.admin.get(`/plugins/${pluginId}`)
    expect(res.body.config).toEqual({ ...seedConfig(w.idp), trusted_web_origins: ['http://www.example.com'], verify_ssl: true, scheme: 'Bearer' })
  })

  it('accepts the same config as a form body, trusted_web_origins included', async () => {
    await w.applied(await w.admin.post('/services', { name: 'form-api', url: `${w.upstream.url}/api` }))
    await w.applied(await w.admin.post('/services/form-api/routes', { name: 'form-route', paths: ['/form'] }))
    const res = await w.admin.postForm('/routes/form-route/plugins', [
      ['name', 'phantom-token'],
      ['config.introspection_endpoint', w.idp.urls.introspect],
      ['config.client_id', 'api-gateway-client'],
      ['config.client_secret', 'Password1'],
      ['config.token_cache_seconds', '900'],
      ['config.scope', 'read'],
      ['config.trusted_web_origins', 'http://www.example.com'],
    ])
    expect(res.status).toBe(201)
    expect(res.body.config).toMatchObject({ token_cache_seconds: 900, trusted_web_origins: ['http://www.example.com'] })
  })

  it('rejects a misspelt config key and a missing client_secret with a schema violation', async () => {
    const { client_secret: _, ...missing } = seedConfig(w.idp)
    const res = await w.admin.post('/plugins', { name: 'phantom-token', config: { ...missing, introspectionn_endpoint: 'x' } })
    expect(res.status).toBe(400)
    expect(res.body.fields.config).toMatchObject({ introspectionn_endpoint: 'unknown field', client_secret: 'required field missing' })
  })
})
