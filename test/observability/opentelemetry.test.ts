// opentelemetry against a test OTLP/HTTP collector: spans of one request with their parent/child structure,
// a propagated traceparent (in and out), B3 kept as B3, the parent's sampling decision honoured, and the
// trace id echoed in a response header.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startGateway, waitForVersion } from '../support/processes.ts'
import { AdminClient } from '../support/admin-client.ts'
import { startEchoUpstream, type EchoUpstream } from '../fixtures/echo-upstream.ts'

let gw: Awaited<ReturnType<typeof startGateway>>
let api: AdminClient
let up: EchoUpstream
let collector: Server
const spans: any[] = []
const contentTypes: string[] = []

async function until<T>(what: () => T | undefined | false, ms = 10_000): Promise<T> {
  const end = Date.now() + ms
  for (;;) {
    const v = what()
    if (v) return v
    if (Date.now() > end) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 25))
  }
}
const ofTrace = (traceId: string) => spans.filter((s) => s.traceId === traceId)

beforeAll(async () => {
  up = await startEchoUpstream()
  collector = createServer((req, res) => {
    let body = ''
    req.on('data', (d) => (body += d))
    req.on('end', () => {
      contentTypes.push(String(req.headers['content-type']))
      for (const rs of JSON.parse(body).resourceSpans) for (const ss of rs.scopeSpans) spans.push(...ss.spans.map((s: any) => ({ ...s, resource: rs.resource })))
      res.end('{}')
    })
  })
  await new Promise<void>((r) => collector.listen(0, '127.0.0.1', () => r()))
  gw = await startGateway()
  api = new AdminClient(gw.admin.url)
  await api.post('/services', { name: 'svc', url: up.url })
  await api.post('/services/svc/routes', { name: 'traced', paths: ['/traced'] })
  await api.post('/routes/traced/plugins', { name: 'key-auth' })
  await api.post('/consumers', { username: 'tracy' })
  await api.post('/consumers/tracy/key-auth', { key: 'tracy-key' })
  const r = await api.post('/routes/traced/plugins', {
    name: 'opentelemetry',
    config: {
      traces_endpoint: `http://127.0.0.1:${(collector.address() as AddressInfo).port}/v1/traces`,
      sampling_rate: 1, resource_attributes: { 'deployment.environment': 'test' },
      http_response_header_for_traceid: 'x-trace-id', queue: { max_coalescing_delay: 0.05 },
    },
  })
  expect(r.status, r.text).toBe(201)
  await waitForVersion(gw.proxy, r.version)
})
afterAll(async () => {
  await gw?.stop()
  await up?.close()
  collector?.close()
})

describe('opentelemetry', () => {
  it('exports the spans of a request under the incoming W3C parent, and sends the context upstream', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736'
    const res = await fetch(`${gw.proxy.url}/traced/echo`, { headers: { apikey: 'tracy-key', traceparent: `00-${traceId}-00f067aa0ba902b7-01` } })
    expect(res.status).toBe(200)
    expect(res.headers.get('x-trace-id')).toBe(traceId)
    const got = await until(() => ofTrace(traceId).length >= 5 && ofTrace(traceId))
    const byName = Object.fromEntries(got.map((s) => [s.name, s]))
    expect(Object.keys(byName).sort()).toEqual(['kong', 'kong.access.plugin.key-auth', 'kong.access.plugin.opentelemetry', 'kong.balancer', 'kong.router'])
    const root = byName.kong
    expect(root.parentSpanId).toBe('00f067aa0ba902b7')
    expect(root.kind).toBe(2)
    for (const name of ['kong.router', 'kong.access.plugin.key-auth', 'kong.balancer']) expect(byName[name].parentSpanId).toBe(root.spanId)
    expect(BigInt(byName['kong.balancer'].startTimeUnixNano)).toBeGreaterThanOrEqual(BigInt(root.startTimeUnixNano))
    expect(BigInt(root.endTimeUnixNano)).toBeGreaterThanOrEqual(BigInt(byName['kong.balancer'].endTimeUnixNano))
    expect(root.attributes).toContainEqual({ key: 'http.status_code', value: { intValue: '200' } })
    expect(root.resource.attributes).toContainEqual({ key: 'deployment.environment', value: { stringValue: 'test' } })
    expect(root.resource.attributes).toContainEqual({ key: 'service.name', value: { stringValue: 'kong' } })
    // the upstream sees the same trace with the balancer span as its parent
    const seen = up.requests.at(-1)!.headers.traceparent
    expect(seen).toBe(`00-${traceId}-${byName['kong.balancer'].spanId}-01`)
    expect(contentTypes[0]).toBe('application/json')
  })

  it('starts a new trace without a parent, and keeps B3 as B3', async () => {
    const res = await fetch(`${gw.proxy.url}/traced/b3`, { headers: { apikey: 'tracy-key', 'x-b3-traceid': '463ac35c9f6413ad', 'x-b3-spanid': '0020000000000001', 'x-b3-sampled': '1' } })
    expect(res.status).toBe(200)
    const h = up.requests.at(-1)!.headers
    expect(h['x-b3-traceid']).toBe('0000000000000000463ac35c9f6413ad')
    expect(h.traceparent).toBeUndefined()
    await until(() => ofTrace('0000000000000000463ac35c9f6413ad').length >= 5)
    const fresh = await fetch(`${gw.proxy.url}/traced/fresh`, { headers: { apikey: 'tracy-key' } })
    const traceId = fresh.headers.get('x-trace-id')!
    expect(traceId).toMatch(/^[0-9a-f]{32}$/)
    const root = (await until(() => ofTrace(traceId).find((s) => s.name === 'kong')))
    expect(root.parentSpanId).toBe('')
  })

  it("honours a parent's decision not to sample, and traces refusals too", async () => {
    const unsampled = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'
    await fetch(`${gw.proxy.url}/traced/no`, { headers: { apikey: 'tracy-key', traceparent: `00-${unsampled}-00f067aa0ba902b7-00` } })
    expect(up.requests.at(-1)!.headers.traceparent).toMatch(new RegExp(`^00-${unsampled}-[0-9a-f]{16}-00$`))
    const refused = 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb'
    const r = await fetch(`${gw.proxy.url}/traced/denied`, { headers: { traceparent: `00-${refused}-00f067aa0ba902b7-01` } })
    expect(r.status).toBe(401)
    const root = await until(() => ofTrace(refused).find((s) => s.name === 'kong'))
    expect(root.attributes).toContainEqual({ key: 'http.status_code', value: { intValue: '401' } })
    expect(ofTrace(refused).some((s) => s.name === 'kong.balancer')).toBe(false)
    expect(ofTrace(unsampled)).toEqual([])
  })
})
