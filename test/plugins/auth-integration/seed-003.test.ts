// Seed 003, vechr's kong-auth-integration README, step by step through the admin API: the user logs in
// at the auth service, sends the access token (header or cookie), and the service behind the gateway
// receives X-User-Payload, the same body as GET /api/v1/session/me.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startWorld, type World } from '../phantom-token/harness.ts'

let w: World

async function login(): Promise<string> {
  const res = await fetch(w.idp.urls.login, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'john@example.com', password: 'secret' }) })
  expect(res.status).toBe(200)
  return ((await res.json()) as Record<string, string>)['access-token']
}

beforeAll(async () => {
  w = await startWorld()
  const svc = await w.admin.post('/services', { name: 'example-service', host: '127.0.0.1', port: w.upstream.port, path: '/' })
  expect(svc.status).toBe(201)
  const route = await w.admin.post('/services/example-service/routes/', {
    name: 'example-route', paths: ['/'], protocols: ['http', 'https'], methods: ['GET', 'PUT', 'PATCH', 'POST', 'DELETE', 'OPTIONS', 'HEAD', 'TRACE', 'CONNECT'],
  })
  expect(route.status).toBe(201)
  const plugin = await w.admin.postForm('/services/example-service/plugins', [
    ['name', 'kong-auth-integration'],
    ['config.token_header', 'Authorization'],
    ['config.cookie_name', 'access-token'],
    ['config.authentication_endpoint', w.idp.urls.session],
  ])
  expect(plugin.status).toBe(201)
  expect(plugin.body.config).toMatchObject({ token_header: 'Authorization', cookie_name: 'access-token', authentication_endpoint: w.idp.urls.session })
  await w.applied(plugin)
})
afterAll(async () => {
  await w?.stop()
})

describe('seed 003: kong-auth-integration', () => {
  it('forwards the session body as X-User-Payload for a bearer token', async () => {
    const token = await login()
    const me = await (await fetch(w.idp.urls.session, { headers: { authorization: `Bearer ${token}` } })).text()
    const res = await fetch(`${w.proxy}/`, { headers: { authorization: `Bearer ${token}` } })
    expect(res.status).toBe(200)
    const echoed = (await res.json()) as { headers: Record<string, string> }
    expect(echoed.headers['x-user-payload']).toBe(me)
    expect(JSON.parse(echoed.headers['x-user-payload'])).toMatchObject({ email: 'john@example.com' })
    // the auth service was asked with GET and the bearer token
    expect(w.idp.last.session).toMatchObject({ method: 'GET' })
    expect(w.idp.last.session!.headers.authorization).toBe(`Bearer ${token}`)
  })

  it('reads the token from the access-token cookie the login set', async () => {
    const token = await login()
    const res = await fetch(`${w.proxy}/anything`, { headers: { cookie: `theme=dark; access-token=${token}` } })
    expect(res.status).toBe(200)
    expect(((await res.json()) as { headers: Record<string, string> }).headers['x-user-payload']).toContain('john@example.com')
  })

  it('answers 401 with the plugin message without a token or with one the auth service rejects', async () => {
    const cases: Record<string, string>[] = [{}, { authorization: 'Bearer eyj8odk34' }]
    for (const headers of cases) {
      const res = await fetch(`${w.proxy}/`, { headers })
      expect(res.status).toBe(401)
      expect(await res.text()).toBe('Unauthorized, You are not allowed access the resource!')
    }
  })
})
