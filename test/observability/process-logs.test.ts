// The gateway's own logs: JSON lines with Kong's level names, the request id on request-scoped lines,
// and the access log in Kong's kong_log_format when KONG_PROXY_ACCESS_LOG is set.
import { readFileSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startGateway, waitForVersion } from '../support/processes.ts'
import { AdminClient } from '../support/admin-client.ts'
import { startEchoUpstream, type EchoUpstream } from '../fixtures/echo-upstream.ts'

let gw: Awaited<ReturnType<typeof startGateway>>
let api: AdminClient
let up: EchoUpstream

async function until<T>(what: () => T | undefined | false, ms = 10_000): Promise<T> {
  const end = Date.now() + ms
  for (;;) {
    const v = what()
    if (v) return v
    if (Date.now() > end) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 25))
  }
}

beforeAll(async () => {
  up = await startEchoUpstream()
  gw = await startGateway({ proxyEnv: { KONG_PROXY_ACCESS_LOG: 'logs/access.log' } })
  api = new AdminClient(gw.admin.url)
  await api.post('/services', { name: 'svc', url: up.url })
  await api.post('/services/svc/routes', { name: 'open', paths: ['/open'] })
  await api.post('/services/svc/routes', { name: 'idp', paths: ['/idp'] })
  const r = await api.post('/routes/idp/plugins', { name: 'phantom-token', config: { introspection_endpoint: 'http://127.0.0.1:1/introspect', client_id: 'gw', client_secret: 'introspection-secret-123', scope: 'read' } })
  await waitForVersion(gw.proxy, r.version)
})
afterAll(async () => {
  await gw?.stop()
  await up?.close()
})

describe('access log', () => {
  it("writes one line per request in Kong's format, with the request id", async () => {
    const ok = await fetch(`${gw.proxy.url}/open/a?x=1`, { headers: { 'user-agent': 'test-agent/1.0', referer: 'http://ref.example/' } })
    await ok.text()
    const missing = await fetch(`${gw.proxy.url}/nowhere`)
    await missing.text()
    const file = join(gw.proxy.prefix, 'logs/access.log')
    const lines = await until(() => existsSync(file) && readFileSync(file, 'utf8').trim().split('\n').length >= 2 && readFileSync(file, 'utf8').trim().split('\n'))
    const id = ok.headers.get('x-kong-request-id')
    expect(lines[0]).toMatch(new RegExp(`^127\\.0\\.0\\.1 - - \\[\\d{2}/\\w{3}/\\d{4}:\\d{2}:\\d{2}:\\d{2} \\+0000\\] "GET /open/a\\?x=1 HTTP/1\\.1" 200 \\d+ "http://ref\\.example/" "test-agent/1\\.0" kong_request_id: "${id}"$`))
    expect(lines[1]).toMatch(/"GET \/nowhere HTTP\/1\.1" 404 \d+ "-" "[^"]*" kong_request_id: "[0-9a-f]+"$/)
    const bytes = Number(/" 200 (\d+) "/.exec(lines[0])![1])
    expect(bytes).toBeGreaterThan(0)
  })
})

describe('process logs', () => {
  it("are JSON lines with Kong's level names and the request id on request-scoped lines", async () => {
    const res = await fetch(`${gw.proxy.url}/idp/x`, { headers: { authorization: 'Bearer opaque-token-abc' } })
    expect(res.status).toBe(500)
    await res.text()
    const line = await until(() => gw.proxy.output().split('\n').find((l) => l.includes('"plugin":"phantom-token"')))
    const entry = JSON.parse(line)
    expect(entry).toMatchObject({ level: 'error', component: 'proxy' })
    expect(entry.request_id).toMatch(/^[0-9a-f]+$/)
    expect(typeof entry.time).toBe('string')
    const out = gw.proxy.output() + gw.admin.output()
    expect(out).not.toContain('opaque-token-abc')
    expect(out).not.toContain('introspection-secret-123')
  })
})
