// Seed 000 as Curity's guide runs it: Kong DB-less from its kong.yml, unchanged except the two hosts, which
// point at the fixture API and identity provider. The phantom token flow then works through the proxy.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startEchoUpstream, type EchoUpstream } from '../fixtures/echo-upstream.ts'
import { AUDIENCE, startIdp, type Idp } from '../fixtures/idp.ts'
import { clientCredentialsToken } from '../plugins/phantom-token/harness.ts'
import { removeConfigs, startDbless, writeConfig, type Dbless } from './support.ts'

// The guide's YAML lost its indentation on the page: the first reading nests the plugin in the route, the
// CORS one in the service. Both are valid Kong nestings, so both are served.
const SEED_YAML = `_format_version: '2.1'
_transform: true
services:
- name: demo-api
  url: http://host.docker.internal:3000/api
  routes:
  - name: demo-api-route
    paths:
    - /api
    plugins:
    - name: phantom-token
      config:
        introspection_endpoint: http://host.docker.internal:8443/oauth/v2/oauth-introspect
        client_id: api-gateway-client
        client_secret: Password1
        token_cache_seconds: 900
        scope: read
`

const SEED_CORS_YAML = `_format_version: '2.1'
_transform: true
services:
- name: demo-api
  url: http://host.docker.internal:3000/api
  routes:
  - name: demo-api-route
    paths:
    - /api
  plugins:
  - name: phantom-token
    config:
      introspection_endpoint: http://host.docker.internal:8443/oauth/v2/oauth-introspect
      client_id: api-gateway-client
      client_secret: Password1
      token_cache_seconds: 900
      scope: read
      trusted_web_origins:
      - http://www.example.com
`

// Kong's deterministic id for a service named demo-api: UUID v5 of the name in the services namespace
const DEMO_API_ID = 'f7547768-255f-530f-aed2-68bc0c7c5e02'

let d: Dbless
let idp: Idp
let api: EchoUpstream
const hosts = (yaml: string) => yaml.replaceAll('host.docker.internal:3000', `127.0.0.1:${api.port}`).replaceAll('host.docker.internal:8443', `127.0.0.1:${idp.port}`)

beforeAll(async () => {
  ;[idp, api] = await Promise.all([startIdp(), startEchoUpstream()])
  // the guide's docker-compose environment, with Postern's listeners
  const env = { KONG_NGINX_HTTP_LUA_SHARED_DICT: 'phantom-token 10m' }
  d = await startDbless({ file: writeConfig(hosts(SEED_YAML)), plugins: 'bundled,phantom-token', env })
})
afterAll(async () => {
  await Promise.all([d?.stop(), idp?.close(), api?.close()])
  removeConfigs()
})

describe('seed 000: Kong DB-less from the guide kong.yml', () => {
  it('serves the file through the admin API, with the ids Kong would give', async () => {
    const service = await d.admin.get('/services/demo-api')
    expect(service.status).toBe(200)
    expect(service.body).toMatchObject({ id: DEMO_API_ID, host: '127.0.0.1', port: api.port, path: '/api', protocol: 'http' })
    const plugins = await d.admin.get('/routes/demo-api-route/plugins')
    expect(plugins.body.data).toHaveLength(1)
    expect(plugins.body.data[0].config).toMatchObject({ client_id: 'api-gateway-client', token_cache_seconds: 900, scope: 'read' })
  })

  it('rejects a made-up token with 401, as the guide shows', async () => {
    const res = await fetch(`${d.proxy}/api/data`, { headers: { authorization: 'Bearer abc123' } })
    expect(res.status).toBe(401)
    expect(await res.json()).toEqual({ code: 'unauthorized', message: 'Missing, invalid or expired access token' })
  })

  it('forwards a JWT the API can verify when the client sends a real opaque token', async () => {
    const token = await clientCredentialsToken(idp)
    const res = await fetch(`${d.proxy}/api/data`, { headers: { authorization: `Bearer ${token}` } })
    expect(res.status).toBe(200)
    const echoed = (await res.json()) as { path: string; headers: Record<string, string> }
    expect(echoed.path).toBe('/api/data')
    const jwt = echoed.headers.authorization.replace(/^Bearer /, '')
    expect(await idp.verify(jwt)).toMatchObject({ scope: 'read', aud: AUDIENCE })
  })

  it('gives the loaded configuration back from GET /config as Kong does', async () => {
    const res = await d.admin.get('/config')
    expect(res.status).toBe(200)
    expect(res.body.config).toMatch(/^_format_version: "3.0"\n_transform: false\n/)
    expect(res.body.config).toContain(`id: ${DEMO_API_ID}`)
  })

  it('refuses entity writes with 405 in DB-less mode', async () => {
    const create = await d.admin.post('/services', { name: 'x', url: 'http://x.test' })
    expect(create.status).toBe(405)
    expect(create.body).toEqual({ code: 12, name: 'operation unsupported', message: "cannot create 'services' entities when not using a database" })
    expect((await d.admin.patch('/services/demo-api', { retries: 1 })).body.message).toBe("cannot update 'services' entities when not using a database")
    expect((await d.admin.delete('/routes/demo-api-route')).body.message).toBe("cannot remove 'routes' entities when not using a database")
    expect((await d.admin.put('/routes/demo-api-route', { paths: ['/x'] })).body.message).toBe("cannot create or update 'routes' entities by 'name' when not using a database")
    expect((await d.admin.get('/services/demo-api')).status).toBe(200)
  })

  it("loads the guide's CORS variant through POST /config, and skips it when posted again with check_hash", async () => {
    const yaml = hosts(SEED_CORS_YAML)
    const res = await d.load(yaml, '?check_hash=1')
    expect(res.status).toBe(201)
    expect(Object.keys(res.body).sort()).toEqual(['plugins', 'routes', 'services'])
    expect(res.body.services[DEMO_API_ID].name).toBe('demo-api')
    const denied = await fetch(`${d.proxy}/api/data`, { headers: { authorization: 'Bearer abc123', origin: 'http://www.example.com' } })
    expect(denied.status).toBe(401)
    expect(denied.headers.get('access-control-allow-origin')).toBe('http://www.example.com')
    const again = await d.load(yaml, '?check_hash=1')
    expect(again.status).toBe(304)
  })
})
