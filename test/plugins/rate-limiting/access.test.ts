// rate-limiting end to end with the local policy: each config field's effect on status, body and headers,
// and a second window crossed (Kong spec 23-rate-limiting/04-access).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { awayFromBoundary, eventually, get, passed, startRateLimitGateway, type Gateway } from './harness.ts'

let gw: Gateway
const at = (path: string, headers: Record<string, string> = {}) => get(gw.proxies[0], path, headers)
const burst = (n: number, path: string, headers: Record<string, string> = {}) => Promise.all(Array.from({ length: n }, () => at(path, headers)))

async function routeWith(name: string, config: Record<string, unknown>, extraPlugins: Record<string, unknown>[] = []) {
  await gw.write('POST', `/services/svc/routes`, { name, paths: [`/${name}`] })
  for (const p of extraPlugins) await gw.write('POST', `/routes/${name}/plugins`, p)
  return gw.write('POST', `/routes/${name}/plugins`, { name: 'rate-limiting', config })
}

beforeAll(async () => {
  gw = await startRateLimitGateway()
  await gw.write('POST', '/services', { name: 'svc', url: gw.upstream.url })
  await gw.write('POST', '/consumers', { username: 'alice' })
  await gw.write('POST', '/consumers', { username: 'bob' })
  await gw.write('POST', '/consumers/alice/key-auth', { key: 'alice-1' })
  await gw.write('POST', '/consumers/alice/key-auth', { key: 'alice-2' })
  await gw.write('POST', '/consumers/bob/key-auth', { key: 'bob-1' })
})
afterAll(() => gw?.stop())

describe('rate-limiting (local policy)', () => {
  it('answers 429 "API rate limit exceeded" after `minute` requests, with Kong\'s headers on every answer', async () => {
    await awayFromBoundary(60, 10)
    await routeWith('minute', { minute: 3 })
    const ok = []
    for (let i = 0; i < 3; i++) ok.push(await at('/minute'))
    expect(ok.map((r) => r.status)).toEqual([200, 200, 200])
    expect(ok.map((r) => r.headers['ratelimit-remaining'])).toEqual(['2', '1', '0'])
    expect(ok[0].headers['x-ratelimit-limit-minute']).toBe('3')
    expect(ok[0].headers['x-ratelimit-remaining-minute']).toBe('2')
    expect(ok[0].headers['ratelimit-limit']).toBe('3')
    const reset = Number(ok[0].headers['ratelimit-reset'])
    expect(reset).toBeGreaterThanOrEqual(1)
    expect(reset).toBeLessThanOrEqual(60)
    expect(ok[0].headers['retry-after']).toBeUndefined()
    const forwarded = gw.upstream.requests.length
    const refused = await at('/minute')
    expect(refused.status).toBe(429)
    expect(gw.upstream.requests.length).toBe(forwarded) // a refused request never reaches the service
    expect(refused.body).toMatchObject({ message: 'API rate limit exceeded' })
    expect(refused.headers['ratelimit-remaining']).toBe('0')
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1)
    expect(refused.headers['x-ratelimit-remaining-minute']).toBe('0')
  })

  it('lets requests through again once the second window is crossed', async () => {
    await routeWith('per-second', { second: 2 })
    // exhaust the current second, then poll until a new window admits again
    let refused: Awaited<ReturnType<typeof at>> | undefined
    await eventually(async () => (refused = await at('/per-second')).status === 429, 5000, 'the second limit to be reached')
    expect(refused!.body).toMatchObject({ message: 'API rate limit exceeded' })
    expect(refused!.headers['retry-after']).toBe('1')
    expect(refused!.headers['ratelimit-reset']).toBe('1')
    let next: Awaited<ReturnType<typeof at>> | undefined
    await eventually(async () => (next = await at('/per-second')).status === 200, 5000, 'the next second window')
    // the first request admitted after a refusal opens a new window: one of two left
    expect(next!.headers['x-ratelimit-remaining-second']).toBe('1')
  })

  it('sends X-RateLimit-*-<Period> for every configured period and RateLimit-* for the tightest', async () => {
    await routeWith('periods', { second: 100, minute: 200, hour: 300, day: 400, month: 500, year: 600 })
    const r = await at('/periods')
    expect(r.status).toBe(200)
    for (const [p, n] of [['second', 100], ['minute', 200], ['hour', 300], ['day', 400], ['month', 500], ['year', 600]] as const) {
      expect(r.headers[`x-ratelimit-limit-${p}`]).toBe(String(n))
      expect(r.headers[`x-ratelimit-remaining-${p}`]).toBe(String(n - 1))
    }
    expect(r.headers['ratelimit-limit']).toBe('100')
    expect(r.headers['ratelimit-remaining']).toBe('99')
    expect(r.headers['ratelimit-reset']).toBe('1')
  })

  it('hides every rate-limiting header with hide_client_headers', async () => {
    await routeWith('hidden', { minute: 1, hide_client_headers: true })
    const ok = await at('/hidden')
    const refused = await at('/hidden')
    expect([ok.status, refused.status]).toEqual([200, 429])
    for (const r of [ok, refused]) expect(Object.keys(r.headers).filter((h) => h.includes('ratelimit') || h === 'retry-after')).toEqual([])
  })

  it('answers with error_code and error_message', async () => {
    await routeWith('custom-error', { minute: 1, error_code: 503, error_message: 'Slow down' })
    await at('/custom-error')
    const r = await at('/custom-error')
    expect(r.status).toBe(503)
    expect(r.body).toMatchObject({ message: 'Slow down' })
  })

  it('limits by consumer across its credentials, and by credential separately', async () => {
    await awayFromBoundary(60, 10)
    const auth = [{ name: 'key-auth' }]
    await routeWith('by-consumer', { minute: 2, limit_by: 'consumer' }, auth)
    await routeWith('by-credential', { minute: 2, limit_by: 'credential' }, auth)
    const consumer = [await at('/by-consumer', { apikey: 'alice-1' }), await at('/by-consumer', { apikey: 'alice-2' }), await at('/by-consumer', { apikey: 'alice-1' })]
    expect(consumer.map((r) => r.status)).toEqual([200, 200, 429])
    expect((await at('/by-consumer', { apikey: 'bob-1' })).status).toBe(200)
    const credential = [await at('/by-credential', { apikey: 'alice-1' }), await at('/by-credential', { apikey: 'alice-1' }), await at('/by-credential', { apikey: 'alice-1' })]
    expect(credential.map((r) => r.status)).toEqual([200, 200, 429])
    expect((await at('/by-credential', { apikey: 'alice-2' })).status).toBe(200)
  })

  it('falls back to the client address for limit_by consumer without a consumer (ip)', async () => {
    await awayFromBoundary(60, 5)
    await routeWith('by-ip', { minute: 1, limit_by: 'ip' })
    await routeWith('anonymous', { minute: 1 })
    expect((await burst(2, '/by-ip')).map((r) => r.status).sort()).toEqual([200, 429])
    expect((await burst(2, '/anonymous')).map((r) => r.status).sort()).toEqual([200, 429])
  })

  it('limits by the value of header_name, one counter per value', async () => {
    await awayFromBoundary(60, 5)
    await routeWith('by-header', { minute: 1, limit_by: 'header', header_name: 'X-App' })
    expect((await at('/by-header', { 'x-app': 'one' })).status).toBe(200)
    expect((await at('/by-header', { 'x-app': 'one' })).status).toBe(429)
    expect((await at('/by-header', { 'x-app': 'two' })).status).toBe(200)
  })

  it('limits by path only on the configured path, by address elsewhere', async () => {
    await awayFromBoundary(60, 5)
    await gw.write('POST', '/services/svc/routes', { name: 'by-path', paths: ['/by-path'], strip_path: false })
    await gw.write('POST', '/routes/by-path/plugins', { name: 'rate-limiting', config: { minute: 1, limit_by: 'path', path: '/by-path/a' } })
    expect((await at('/by-path/a')).status).toBe(200)
    expect((await at('/by-path/a')).status).toBe(429)
    expect((await at('/by-path/b')).status).toBe(200) // another path: counted by client address, its first request
  })

  it('limits by service: every route of the service shares one counter', async () => {
    await awayFromBoundary(60, 5)
    await gw.write('POST', '/services', { name: 'svc2', url: gw.upstream.url })
    await gw.write('POST', '/services/svc2/routes', { name: 's2-a', paths: ['/s2-a'] })
    await gw.write('POST', '/services/svc2/routes', { name: 's2-b', paths: ['/s2-b'] })
    await gw.write('POST', '/services/svc2/plugins', { name: 'rate-limiting', config: { minute: 2, limit_by: 'service' } })
    expect([(await at('/s2-a')).status, (await at('/s2-b')).status, (await at('/s2-a')).status]).toEqual([200, 200, 429])
  })

  it('keeps counting across an unrelated configuration change', async () => {
    await awayFromBoundary(60, 10)
    await routeWith('survives', { minute: 2 })
    expect((await at('/survives')).status).toBe(200)
    await gw.write('POST', '/consumers', { username: 'unrelated' })
    expect((await at('/survives')).headers['ratelimit-remaining']).toBe('0')
    expect((await at('/survives')).status).toBe(429)
  })
})
