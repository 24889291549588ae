// rate-limiting with policy `redis` on the shared Redis (database 11 is this file's own): two proxies share
// one exact counter under Kong's keys and TTLs; windows roll over; sync_rate batches counts to Redis.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Redis } from 'ioredis'
import { admitsAgainAfterTheWindow, awayFromBoundary, eventually, get, passed, startRateLimitGateway, type Gateway } from './harness.ts'

const DATABASE = 11
let gw: Gateway
let redis: Redis
const proxy = (i: number) => gw.proxies[i % gw.proxies.length]
const REDIS = { host: '127.0.0.1', port: 6379, database: DATABASE }

beforeAll(async () => {
  redis = new Redis({ host: '127.0.0.1', port: 6379, db: DATABASE })
  gw = await startRateLimitGateway(2)
  await gw.write('POST', '/services', { name: 'svc', url: gw.upstream.url })
})
afterAll(async () => {
  await gw?.stop()
  await redis?.quit()
})

async function route(name: string, config: Record<string, unknown>) {
  await gw.write('POST', '/services/svc/routes', { name, paths: [`/${name}`] })
  return gw.write('POST', `/routes/${name}/plugins`, { name: 'rate-limiting', config: { policy: 'redis', redis: REDIS, ...config } })
}

describe('rate-limiting (redis policy)', () => {
  it('allows 5 per minute in total across two proxies, not 5 each', async () => {
    await awayFromBoundary(60, 15)
    await route('shared', { minute: 5 })
    const results = []
    for (let i = 0; i < 10; i++) results.push(await get(proxy(i), '/shared'))
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 429, 429, 429, 429, 429])
    expect(results.slice(0, 5).map((r) => r.headers['ratelimit-remaining'])).toEqual(['4', '3', '2', '1', '0'])
    expect(results[9].headers['retry-after']).toBeDefined()
  })

  it("stays exact under concurrent requests and keeps counters under Kong's keys with the period as TTL", async () => {
    await awayFromBoundary(60, 15)
    const plugin = await route('concurrent', { minute: 7, hour: 100 })
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => get(proxy(i), '/concurrent')))
    expect(passed(results)).toBe(7)
    const keys = (await redis.keys(`ratelimit:${plugin.route.id}:00000000-0000-0000-0000-000000000000:*`)).sort()
    expect(keys).toHaveLength(2)
    const hourKey = keys.find((k) => k.endsWith(':hour'))!
    const minuteKey = keys.find((k) => k.endsWith(':minute'))!
    expect(minuteKey).toMatch(/^ratelimit:[0-9a-f-]+:0{8}-0{4}-0{4}-0{4}-0{12}:127\.0\.0\.1:\d+000:minute$/)
    // Kong's realtime mode counts every request, refused ones included
    expect(Number(await redis.get(minuteKey))).toBe(30)
    const ttl = await redis.ttl(hourKey)
    expect(ttl).toBeGreaterThan(3000)
    expect(ttl).toBeLessThanOrEqual(3600)
  })

  it('admits again on both proxies once the second window is crossed', () => admitsAgainAfterTheWindow(route, proxy))

  it('with sync_rate, counts locally and flushes the deltas to Redis, where the other proxy sees them', async () => {
    await awayFromBoundary(60, 15)
    const plugin = await route('synced', { minute: 100, sync_rate: 0.2 })
    for (let i = 0; i < 4; i++) expect((await get(proxy(0), '/synced')).status).toBe(200)
    const key = async () => (await redis.keys(`ratelimit:${plugin.route.id}:*:minute`))[0]
    await eventually(async () => Number(await redis.get((await key()) ?? 'none')) === 4, 5000, 'the deltas in Redis')
    const seen = await get(proxy(1), '/synced')
    expect(seen.headers['x-ratelimit-remaining-minute']).toBe('95')
    expect(Number(await redis.ttl(await key()))).toBeGreaterThan(0)
  })
})
