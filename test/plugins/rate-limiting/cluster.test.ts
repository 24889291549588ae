// rate-limiting with policy `cluster`: two proxies on one database share one counter (Kong's
// ratelimiting_metrics), exactly, including under concurrent requests; windows still roll over.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import Database from 'better-sqlite3'
import { join } from 'node:path'
import { admitsAgainAfterTheWindow, awayFromBoundary, get, passed, startRateLimitGateway, type Gateway } from './harness.ts'

let gw: Gateway
const proxy = (i: number) => gw.proxies[i % gw.proxies.length]

beforeAll(async () => {
  gw = await startRateLimitGateway(2)
  await gw.write('POST', '/services', { name: 'svc', url: gw.upstream.url })
})
afterAll(() => gw?.stop())

async function route(name: string, config: Record<string, unknown>) {
  await gw.write('POST', '/services/svc/routes', { name, paths: [`/${name}`] })
  return gw.write('POST', `/routes/${name}/plugins`, { name: 'rate-limiting', config: { policy: 'cluster', ...config } })
}

describe('rate-limiting (cluster policy)', () => {
  it('allows 5 per minute in total across two proxies, not 5 each', async () => {
    await awayFromBoundary(60, 15)
    await route('shared', { minute: 5 })
    const results = []
    for (let i = 0; i < 10; i++) results.push(await get(proxy(i), '/shared'))
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 429, 429, 429, 429, 429])
    expect(results.slice(0, 5).map((r) => r.headers['x-ratelimit-remaining-minute'])).toEqual(['4', '3', '2', '1', '0'])
    expect(results[5].body).toMatchObject({ message: 'API rate limit exceeded' })
  })

  it('stays exact under concurrent requests on both proxies', async () => {
    await awayFromBoundary(60, 15)
    const plugin = await route('concurrent', { minute: 7 })
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => get(proxy(i), '/concurrent')))
    expect(passed(results)).toBe(7)
    // the counter row itself says 7: refused requests were taken back
    const db = new Database(join(gw.admin.prefix, 'postern.db'), { readonly: true })
    try {
      const row = db.prepare("SELECT value, purge_at FROM ratelimiting_metrics WHERE route_id = ? AND period = 'minute'").get(plugin.route.id) as { value: number; purge_at: number }
      expect(row.value).toBe(7)
      expect(row.purge_at).toBeGreaterThan(Date.now() / 1000)
    } finally {
      db.close()
    }
  })

  it('admits again on both proxies once the second window is crossed', () => admitsAgainAfterTheWindow(route, proxy))

  it('keeps separate counters per plugin scope (route) for the same client', async () => {
    await awayFromBoundary(60, 10)
    await route('scope-a', { minute: 1 })
    await route('scope-b', { minute: 1 })
    expect((await get(proxy(0), '/scope-a')).status).toBe(200)
    expect((await get(proxy(1), '/scope-a')).status).toBe(429)
    expect((await get(proxy(1), '/scope-b')).status).toBe(200)
  })
})
