// Kong's routing rules end to end: hosts, wildcards, methods, headers, regex priority, strip_path,
// preserve_host, disabled services and https-only routes, through real admin and proxy processes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startGateway, waitForVersion } from '../support/processes.ts'
import { AdminClient } from '../support/admin-client.ts'
import { send as raw } from '../support/http.ts'
import { startEchoUpstream, type EchoUpstream } from '../fixtures/echo-upstream.ts'

let gw: Awaited<ReturnType<typeof startGateway>>
let up: EchoUpstream
let admin: AdminClient
let lastVersion = 0

async function route(body: Record<string, unknown>, service = 'echo') {
  const r = await admin.post(`/services/${service}/routes`, body)
  expect(r.status, r.text).toBe(201)
  lastVersion = r.version
  return r.body
}

async function send(path: string, init: { method?: string; body?: string; headers?: Record<string, string>; host?: string } = {}) {
  const headers: Record<string, string> = { ...init.headers }
  if (init.host) headers.host = init.host
  return raw(gw.proxy.url + path, { method: init.method, headers, body: init.body })
}

beforeAll(async () => {
  up = await startEchoUpstream()
  gw = await startGateway()
  admin = new AdminClient(gw.admin.url)
  await admin.post('/services', { name: 'echo', url: up.url })
  await admin.post('/services', { name: 'based', url: `${up.url}/base` })
  await route({ name: 'prefix-short', paths: ['/p'] })
  await route({ name: 'prefix-long', paths: ['/p/q'] }, 'based')
  await route({ name: 'regex', paths: ['~/version/\\d+'] })
  await route({ name: 'version-prefix', paths: ['/version'] }, 'based')
  await route({ name: 'regex-low', paths: ['~/rp/a'], regex_priority: 1 })
  await route({ name: 'regex-high', paths: ['~/rp'], regex_priority: 10 }, 'based')
  await route({ name: 'host-plain', hosts: ['api.test'] })
  await route({ name: 'host-wild', hosts: ['*.wild.test'], paths: ['/w'] })
  await route({ name: 'host-suffix', hosts: ['wild.*'], paths: ['/w'] }, 'based')
  await route({ name: 'methods', methods: ['POST'], paths: ['/m'] })
  await route({ name: 'methods-any', paths: ['/m'] }, 'based')
  await route({ name: 'header-v2', headers: { 'x-version': ['v2'] }, paths: ['/h'] })
  await route({ name: 'header-none', paths: ['/h'] }, 'based')
  await route({ name: 'nostrip', paths: ['/nostrip'], strip_path: false })
  await route({ name: 'preserve', paths: ['/preserve'], preserve_host: true })
  await route({ name: 'https-only', paths: ['/secure'], protocols: ['https'] })
  await route({ name: 'https-redirect', paths: ['/redirect'], protocols: ['https'], https_redirect_status_code: 301 })
  await waitForVersion(gw.proxy, lastVersion)
})
afterAll(async () => {
  await gw?.stop()
  await up?.close()
})

describe('route matching', () => {
  it('answers 404 with Kong body and request id when no route matches', async () => {
    const r = await send('/nothing-here')
    expect(r.status).toBe(404)
    expect(r.body.message).toBe('no Route matched with those values')
    expect(r.body.request_id).toBe(r.headers['x-kong-request-id'])
  })

  it('prefers the longer prefix and strips the matched prefix', async () => {
    expect((await send('/p/q/r')).body.url).toBe('/base/r')
    expect((await send('/p/x')).body.url).toBe('/x')
  })

  it('matches prefixes without a segment boundary, as Kong does', async () => {
    expect((await send('/pq')).body.url).toBe('/q')
  })

  it('lets a regex path beat a prefix path at equal attribute count', async () => {
    expect((await send('/version/1/x')).body.url).toBe('/x')
    expect((await send('/version/abc')).body.url).toBe('/base/abc')
  })

  it('orders regex routes by regex_priority', async () => {
    // `~/rp` (priority 10) beats the more specific `~/rp/a` (priority 1); it strips `/rp`
    expect((await send('/rp/a')).body.url).toBe('/base/a')
  })

  it('matches plain hosts exactly and wildcards by suffix or prefix', async () => {
    expect((await send('/anything', { host: 'api.test' })).status).toBe(200)
    const upper = await send('/anything', { host: 'API.TEST' })
    expect(upper.status, JSON.stringify(upper.body)).toBe(404)
    expect((await send('/w', { host: 'a.b.wild.test' })).body.url).toBe('/')
    expect((await send('/w', { host: 'wild.example' })).body.url).toBe('/base')
    expect((await send('/w', { host: 'wild.test' })).body.url).toBe('/base') // `wild.*` matches
    expect((await send('/w', { host: 'mild.test' })).status).toBe(404)
  })

  it('matches the host even when the Host header carries a port', async () => {
    expect((await send('/x', { host: 'api.test:8000' })).body.url).toBe('/x')
  })

  it('prefers the route with more attributes (methods) for a matching method', async () => {
    expect((await send('/m', { method: 'POST', body: 'x' })).body.url).toBe('/')
    expect((await send('/m')).body.url).toBe('/base')
  })

  it('uses header conditions case-insensitively and prefers routes with headers', async () => {
    expect((await send('/h', { headers: { 'x-version': 'V2' } })).body.url).toBe('/')
    expect((await send('/h', { headers: { 'x-version': 'v3' } })).body.url).toBe('/base')
  })

  it('keeps the path when strip_path is false and forwards the query unchanged', async () => {
    expect((await send('/nostrip/a?b=1&c=%20')).body.url).toBe('/nostrip/a?b=1&c=%20')
  })

  it('sends the service host unless preserve_host is set', async () => {
    expect((await send('/x', { host: 'api.test' })).body.headers.host).toBe(`127.0.0.1:${up.port}`)
    expect((await send('/preserve', { host: 'client.test:1234' })).body.headers.host).toBe('client.test:1234')
  })

  it('answers 426 on an https-only route over plain HTTP, or redirects when configured', async () => {
    const r = await send('/secure')
    expect(r.status).toBe(426)
    expect(r.body.message).toBe('Please use HTTPS protocol')
    const red = await send('/redirect/x?y=1', { host: 'r.test:8000' })
    expect(red.status).toBe(301)
    expect(red.headers.location).toBe('https://r.test/redirect/x?y=1')
  })

  it('normalizes the path before matching (dot segments, encoded unreserved characters)', async () => {
    expect((await send('/p/a/../q/r')).body.url).toBe('/base/r')
    expect((await send('/%70/q/z')).body.url).toBe('/base/z')
  })

  it('takes routes of a disabled service out of the router', async () => {
    await admin.post('/services', { name: 'toggle', url: up.url + '/toggled' })
    await route({ paths: ['/toggle'] }, 'toggle')
    await waitForVersion(gw.proxy, lastVersion)
    expect((await send('/toggle')).body.url).toBe('/toggled')
    const r = await admin.patch('/services/toggle', { enabled: false })
    await waitForVersion(gw.proxy, r.version)
    expect((await send('/toggle')).status).toBe(404)
  })

  it('answers 503 for a route without a service', async () => {
    const r = await admin.post('/routes', { paths: ['/orphan'] })
    await waitForVersion(gw.proxy, r.version)
    const res = await send('/orphan')
    expect(res.status).toBe(503)
    expect(res.body.message).toBe('no Service found with those values')
  })
})
