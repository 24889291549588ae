// DNS, black-box: a service host that is no upstream, and a hostname target, are resolved through the name
// server in KONG_DNS_RESOLVER (a stub the test controls); answers are cached for their TTL and refreshed off
// the request path.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { startGateway, waitForVersion } from '../support/processes.ts'
import { AdminClient } from '../support/admin-client.ts'
import { startNamedUpstream, type NamedUpstream } from '../fixtures/named-upstream.ts'
import { startDnsStub, type DnsStub } from '../fixtures/dns-stub.ts'
import { hit, spread, until } from './support.ts'

// each test polls with deadlines of its own; a loaded shared machine may need more than the default 30 s
vi.setConfig({ testTimeout: 90_000 })

let gw: Awaited<ReturnType<typeof startGateway>>
let api: AdminClient
let dns: DnsStub
let a: NamedUpstream
let b: NamedUpstream

beforeAll(async () => {
  dns = await startDnsStub()
  gw = await startGateway({ proxyEnv: { KONG_DNS_RESOLVER: `127.0.0.1:${dns.port}` } })
  api = new AdminClient(gw.admin.url)
  // two servers on one port at two loopback addresses: only DNS tells them apart
  a = await startNamedUpstream('a', '127.0.0.1')
  b = await startNamedUpstream('b', '127.0.0.2', a.port)
})
afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop(), dns?.close()])
  await gw?.stop()
})

async function service(name: string, host: string) {
  await api.post('/services', { name, host, port: a.port })
  const r = await api.post(`/services/${name}/routes`, { paths: [`/${name}`] })
  await waitForVersion(gw.proxy, r.version)
}

describe('DNS', () => {
  it('caches an answer for its TTL and follows the new answer once it expires', async () => {
    dns.records.set('short.dns.test', { ips: ['127.0.0.1'], ttl: 1 })
    await service('short', 'short.dns.test')
    expect((await hit(gw.proxy, '/short')).name).toBe('a')
    const before = dns.asked.get('short.dns.test')!
    dns.records.set('short.dns.test', { ips: ['127.0.0.2'], ttl: 1 })
    const started = Date.now()
    await until(async () => (await hit(gw.proxy, '/short')).name === 'b', 10_000, 'new address in use')
    // refreshed in the background, not once per request
    expect(dns.asked.get('short.dns.test')! - before).toBeLessThanOrEqual(Math.ceil((Date.now() - started) / 500) + 2)
  })

  it('keeps using the cached address while the TTL lasts', async () => {
    dns.records.set('long.dns.test', { ips: ['127.0.0.1'], ttl: 60 })
    await service('long', 'long.dns.test')
    expect((await hit(gw.proxy, '/long')).name).toBe('a')
    dns.records.set('long.dns.test', { ips: ['127.0.0.2'], ttl: 60 })
    const queries = dns.asked.get('long.dns.test')
    const end = Date.now() + 2500
    while (Date.now() < end) {
      expect((await hit(gw.proxy, '/long')).name).toBe('a')
      await new Promise((r) => setTimeout(r, 100))
    }
    expect(dns.asked.get('long.dns.test')).toBe(queries)
  })

  it("balances a hostname target over all its A records and shows each address in the upstream's health", async () => {
    dns.records.set('pair.dns.test', { ips: ['127.0.0.1', '127.0.0.2'], ttl: 30 })
    await api.post('/upstreams', { name: 'pair.test' })
    await api.post('/upstreams/pair.test/targets', { target: `pair.dns.test:${a.port}` })
    await service('pair', 'pair.test')
    expect(await spread(gw.proxy, '/pair', 10)).toEqual({ a: 5, b: 5 })
    const h = await until(async () => {
      const r = await api.get('/upstreams/pair.test/health')
      return r.body.data[0]?.data?.addresses?.length === 2 ? r.body.data[0] : null
    }, 10_000, 'health report')
    expect(h.target).toBe(`pair.dns.test:${a.port}`)
    expect(h.health).toBe('HEALTHCHECKS_OFF')
    expect(h.data.dns).toBe('OK')
    expect(h.data.addresses.map((x: any) => x.ip).sort()).toEqual(['127.0.0.1', '127.0.0.2'])
  })

  it('answers 503 "name resolution failed" when the name does not resolve', async () => {
    await service('nx', 'nx.dns.test')
    const r = await hit(gw.proxy, '/nx')
    expect(r.status).toBe(503)
    expect(r.body).toEqual({ message: 'name resolution failed', request_id: expect.any(String) })
  })
})
