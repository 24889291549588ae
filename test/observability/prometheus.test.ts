// Prometheus metrics after a mix of requests: Kong's families and labels on the proxy's status listener,
// postern_auth_failures_total with the reasons of key-auth, jwt, oauth2 and phantom-token refusals, the
// config version gauges, and the admin's own /metrics.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startGateway, waitForVersion } from '../support/processes.ts'
import { AdminClient } from '../support/admin-client.ts'
import { startEchoUpstream, type EchoUpstream } from '../fixtures/echo-upstream.ts'

let gw: Awaited<ReturnType<typeof startGateway>>
let api: AdminClient
let up: EchoUpstream

const get = (path: string, headers: Record<string, string> = {}) => fetch(`${gw.proxy.url}${path}`, { headers }).then(async (r) => (await r.arrayBuffer(), r.status))
const scrape = async (url: string) => {
  const r = await fetch(`${url}/metrics`)
  expect(r.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8')
  return r.text()
}
/** The value of one series, found by its exact label text. */
function value(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(series + ' '))
  return line === undefined ? undefined : Number(line.slice(series.length + 1))
}
const fakeJwt = (payload: Record<string, unknown>) => `${Buffer.from('{"alg":"HS256","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.c2ln`

beforeAll(async () => {
  up = await startEchoUpstream()
  gw = await startGateway()
  api = new AdminClient(gw.admin.url)
  await api.post('/services', { name: 'svc', url: up.url })
  await api.post('/services', { name: 'down', url: 'http://127.0.0.1:1', retries: 0 })
  for (const [name, svc] of [['open', 'svc'], ['ka', 'svc'], ['jwt', 'svc'], ['oauth', 'svc'], ['phantom', 'svc'], ['broken', 'down']]) {
    await api.post(`/services/${svc}/routes`, { name, paths: [`/${name}`] })
  }
  await api.post('/routes/ka/plugins', { name: 'key-auth' })
  await api.post('/routes/jwt/plugins', { name: 'jwt' })
  await api.post('/routes/oauth/plugins', { name: 'oauth2', config: { enable_client_credentials: true, accept_http_if_already_terminated: true } })
  await api.post('/routes/phantom/plugins', { name: 'phantom-token', config: { introspection_endpoint: 'http://127.0.0.1:1/introspect', client_id: 'gw', client_secret: 'secret', scope: 'read' } })
  await api.post('/consumers', { username: 'alice' })
  await api.post('/consumers/alice/key-auth', { key: 'alice-key' })
  const r = await api.post('/plugins', { name: 'prometheus', config: { per_consumer: true, status_code_metrics: true, latency_metrics: true, bandwidth_metrics: true } })
  expect(r.status).toBe(201)
  await waitForVersion(gw.proxy, r.version)

  for (let i = 0; i < 3; i++) expect(await get('/open/x')).toBe(200)
  expect(await get('/ka/x')).toBe(401)
  expect(await get('/ka/x', { apikey: 'wrong' })).toBe(401)
  expect(await get('/ka/x', { apikey: 'alice-key' })).toBe(200)
  expect(await get('/jwt/x')).toBe(401)
  expect(await get('/jwt/x', { authorization: `Bearer ${fakeJwt({ iss: 'nobody' })}` })).toBe(401)
  expect(await get('/oauth/x', { authorization: 'Bearer not-a-token' })).toBe(401)
  expect(await get('/phantom/x', { authorization: 'Bearer opaque' })).toBe(500)
  expect(await get('/broken/x')).toBe(502)
  expect(await get('/nowhere')).toBe(404)
})
afterAll(async () => {
  await gw?.stop()
  await up?.close()
})

describe('prometheus plugin', () => {
  it('counts requests by service, route, code, source and consumer', async () => {
    const m = await scrape(gw.proxy.statusUrl)
    const series = (route: string, code: number, source: string, consumer = '') =>
      value(m, `kong_http_requests_total{service="${route === 'broken' ? 'down' : 'svc'}",route="${route}",code="${code}",source="${source}",workspace="default",consumer="${consumer}"}`)
    expect(series('open', 200, 'service')).toBe(3)
    expect(series('ka', 401, 'kong')).toBe(2)
    expect(series('ka', 200, 'service', 'alice')).toBe(1)
    expect(series('jwt', 401, 'kong')).toBe(2)
    expect(series('broken', 502, 'kong')).toBe(1)
    // Kong counts nothing for a request that matched no route
    expect(m).not.toMatch(/code="404"/)
  })

  it("observes Kong's latency histograms and bandwidth", async () => {
    const m = await scrape(gw.proxy.statusUrl)
    expect(value(m, 'kong_request_latency_ms_count{service="svc",route="open",workspace="default"}')).toBe(3)
    expect(value(m, 'kong_upstream_latency_ms_count{service="svc",route="open",workspace="default"}')).toBe(3)
    expect(value(m, 'kong_kong_latency_ms_bucket{service="svc",route="open",workspace="default",le="+Inf"}')).toBe(3)
    expect(m).toContain('kong_kong_latency_ms_bucket{service="svc",route="open",workspace="default",le="0001.0"}')
    expect(m).toContain('kong_upstream_latency_ms_bucket{service="svc",route="open",workspace="default",le="00025.0"}')
    expect(value(m, 'kong_bandwidth_bytes{service="svc",route="open",direction="egress",workspace="default",consumer=""}')).toBeGreaterThan(3 * 50)
    expect(value(m, 'kong_bandwidth_bytes{service="svc",route="ka",direction="ingress",workspace="default",consumer="alice"}')).toBeGreaterThan(20)
  })

  it('reports why each auth plugin refused, with a fixed set of reasons', async () => {
    const m = await scrape(gw.proxy.statusUrl)
    const reason = (plugin: string, r: string, route: string) => value(m, `postern_auth_failures_total{plugin="${plugin}",reason="${r}",service="svc",route="${route}"}`)
    expect(reason('key-auth', 'missing_credential', 'ka')).toBe(1)
    expect(reason('key-auth', 'unknown_credential', 'ka')).toBe(1)
    expect(reason('jwt', 'missing_credential', 'jwt')).toBe(1)
    expect(reason('jwt', 'unknown_credential', 'jwt')).toBe(1)
    expect(reason('oauth2', 'unknown_credential', 'oauth')).toBe(1)
    expect(reason('phantom-token', 'introspection_failed', 'phantom')).toBe(1)
  })

  it('exposes the applied config version and node gauges', async () => {
    const m = await scrape(gw.proxy.statusUrl)
    const status = await (await fetch(`${gw.proxy.statusUrl}/status`)).json()
    expect(value(m, 'postern_config_version')).toBe(status.configuration_version)
    expect(value(m, 'postern_config_apply_seconds_count')).toBeGreaterThan(0)
    expect(m).toMatch(/^kong_node_info\{node_id="[0-9a-f-]{36}",version="3\.9\.3"\} 1$/m)
    expect(value(m, 'kong_nginx_requests_total{node_id="' + /node_id="([^"]+)"/.exec(m)![1] + '",subsystem="http"}')).toBeGreaterThanOrEqual(12)
  })
})

describe('admin /metrics', () => {
  it('serves datastore reachability, the config version and each data plane', async () => {
    const m = await scrape(gw.admin.url)
    expect(value(m, 'kong_datastore_reachable')).toBe(1)
    const head = (await api.get('/status')).body.configuration_version
    expect(value(m, 'postern_config_version')).toBe(head)
    expect(m).toMatch(/^kong_data_plane_last_seen\{node_id="[0-9a-f-]{36}",hostname="[^"]*",ip="[^"]*"\} \d+$/m)
  })
})

describe('upstream target health', () => {
  it('exports kong_upstream_target_health once a prometheus instance enables upstream_health_metrics', async () => {
    await api.post('/upstreams', { name: 'pool' })
    await api.post('/upstreams/pool/targets', { target: `127.0.0.1:${up.port}` })
    await api.post('/services', { name: 'pooled', host: 'pool' })
    const r = await api.post('/services/pooled/routes', { name: 'pooled', paths: ['/pooled'] })
    await waitForVersion(gw.proxy, r.version)
    expect(await get('/pooled/x')).toBe(200)
    const series = `kong_upstream_target_health{upstream="pool",target="127.0.0.1:${up.port}",address="127.0.0.1:${up.port}",state="healthchecks_off",subsystem="http"}`
    expect(await scrape(gw.proxy.statusUrl)).not.toContain('kong_upstream_target_health')
    const plugin = (await api.get('/plugins')).body.data.find((p: any) => p.name === 'prometheus')
    const p = await api.patch(`/plugins/${plugin.id}`, { config: { upstream_health_metrics: true } })
    await waitForVersion(gw.proxy, p.version)
    const m = await scrape(gw.proxy.statusUrl)
    expect(value(m, series)).toBe(1)
    expect(value(m, series.replace('healthchecks_off', 'healthy'))).toBe(0)
  })
})

