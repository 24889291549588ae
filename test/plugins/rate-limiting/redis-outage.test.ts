// rate-limiting when Redis goes away mid-test: a private redis-server (never the shared one) is killed;
// fault_tolerant serves without limiting or answers 500, the failure is logged once per interval, and
// counting resumes when Redis is back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eventually, freePort, get, startRateLimitGateway, startRedis, type Gateway } from './harness.ts'

let gw: Gateway
let port: number
let redis: Awaited<ReturnType<typeof startRedis>> | undefined
const failureLogs = () => (gw.proxies[0].output().match(/rate-limiting: (failed to get usage|Redis connection failed)/g) ?? []).length

beforeAll(async () => {
  port = await freePort()
  redis = await startRedis(port)
  gw = await startRateLimitGateway(1)
  await gw.write('POST', '/services', { name: 'svc', url: gw.upstream.url })
  const conf = { minute: 1000, policy: 'redis', redis: { host: '127.0.0.1', port, timeout: 500 } }
  for (const [name, fault_tolerant] of [['tolerant', true], ['strict', false]] as const) {
    await gw.write('POST', '/services/svc/routes', { name, paths: [`/${name}`] })
    await gw.write('POST', `/routes/${name}/plugins`, { name: 'rate-limiting', config: { ...conf, fault_tolerant } })
  }
})
afterAll(async () => {
  await gw?.stop()
  await redis?.stop()
})

describe('rate-limiting with Redis stopped mid-test', () => {
  it('limits through Redis while it is up', async () => {
    const [a, b] = [await get(gw.proxies[0], '/tolerant'), await get(gw.proxies[0], '/strict')]
    expect([a.status, b.status]).toEqual([200, 200])
    expect(a.headers['ratelimit-remaining']).toBe('999')
    expect(failureLogs()).toBe(0)
  })

  it('serves without rate-limiting headers when fault_tolerant, answers 500 when not, and logs once per interval', async () => {
    await redis!.stop()
    await eventually(async () => (await get(gw.proxies[0], '/strict')).status === 500, 10_000, 'the strict route to fail')
    const strict = await get(gw.proxies[0], '/strict')
    expect(strict.status).toBe(500)
    expect(strict.body).toMatchObject({ message: 'An unexpected error occurred' })
    const tolerant = []
    for (let i = 0; i < 20; i++) tolerant.push(await get(gw.proxies[0], '/tolerant'))
    expect(tolerant.every((r) => r.status === 200)).toBe(true)
    expect(tolerant.every((r) => r.headers['ratelimit-limit'] === undefined && r.headers['x-ratelimit-limit-minute'] === undefined)).toBe(true)
    for (let i = 0; i < 20; i++) expect((await get(gw.proxies[0], '/strict')).status).toBe(500)
    // 40+ failed requests within one 10 s interval: at most one line per interval, not one per request
    await eventually(async () => failureLogs() >= 1, 5000, 'the failure to be logged')
    expect(failureLogs()).toBeLessThanOrEqual(3)
    expect(gw.proxies[0].output()).not.toContain('password')
  })

  it('counts again once Redis is back on the same address', async () => {
    redis = await startRedis(port)
    let back: Awaited<ReturnType<typeof get>> | undefined
    await eventually(async () => (back = await get(gw.proxies[0], '/strict')).status === 200, 15_000, 'the strict route to recover')
    expect(back!.headers['ratelimit-limit']).toBe('1000')
    // the new Redis started empty: the count began again
    expect(Number(back!.headers['ratelimit-remaining'])).toBeGreaterThanOrEqual(990)
  })
})
