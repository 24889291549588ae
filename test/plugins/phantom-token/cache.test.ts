// phantom-token cache, counted at the IdP: one introspection for N requests with one token, a new one
// after the TTL (config, IdP max-age or JWT exp, whichever is first), per plugin instance, and one call
// for a burst of concurrent requests with a new token.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { seedConfig, startWorld, type World } from './harness.ts'

let w: World
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

beforeAll(async () => {
  w = await startWorld()
  await w.expose('/long', 'phantom-token', seedConfig(w.idp))
  await w.expose('/other', 'phantom-token', seedConfig(w.idp))
  await w.expose('/short', 'phantom-token', seedConfig(w.idp, { token_cache_seconds: 1 }))
})
afterAll(async () => {
  await w?.stop()
})
beforeEach(() => {
  w.idp.cacheControl = undefined
  w.idp.delay('introspect', 0)
  w.idp.fault('introspect', null)
})

const get = (path: string, token: string) => fetch(`${w.proxy}${path}`, { headers: { authorization: `Bearer ${token}` } })

async function introspections(fn: () => Promise<unknown>): Promise<number> {
  const before = w.idp.calls.introspect
  await fn()
  return w.idp.calls.introspect - before
}

describe('phantom-token cache', () => {
  it('introspects once for ten requests with the same token', async () => {
    const token = w.idp.issue()
    const n = await introspections(async () => {
      for (let i = 0; i < 10; i++) expect((await get('/long/x', token)).status).toBe(200)
    })
    expect(n).toBe(1)
  })

  it('introspects again once token_cache_seconds has passed', async () => {
    const token = w.idp.issue()
    expect(await introspections(() => get('/short/x', token))).toBe(1)
    expect(await introspections(() => get('/short/x', token))).toBe(0)
    await sleep(1100)
    expect(await introspections(() => get('/short/x', token))).toBe(1)
  })

  it("keeps an answer no longer than the IdP's max-age", async () => {
    w.idp.cacheControl = 'max-age=1'
    const token = w.idp.issue()
    await get('/long/x', token)
    expect(await introspections(() => get('/long/x', token))).toBe(0)
    await sleep(1100)
    expect(await introspections(() => get('/long/x', token))).toBe(1)
  })

  it('does not cache an answer marked no-store', async () => {
    w.idp.cacheControl = 'no-store'
    const token = w.idp.issue()
    expect(await introspections(async () => {
      await get('/long/x', token)
      await get('/long/x', token)
    })).toBe(2)
  })

  it('never serves a JWT past its exp, even with a long configured lifetime', async () => {
    w.idp.cacheControl = null
    const token = w.idp.issue({ lifetimeSeconds: 2 })
    expect((await get('/long/x', token)).status).toBe(200)
    expect(await introspections(() => get('/long/x', token))).toBe(0)
    await sleep(2100)
    let status = 0
    expect(await introspections(async () => (status = (await get('/long/x', token)).status))).toBe(1)
    expect(status).toBe(401)
  })

  it('does not cache failures: a retried bad token reaches the IdP each time', async () => {
    expect(await introspections(async () => {
      for (let i = 0; i < 3; i++) expect((await get('/long/x', 'not-a-token')).status).toBe(401)
    })).toBe(3)
  })

  it('keeps a separate cache per plugin instance', async () => {
    const token = w.idp.issue()
    await get('/long/x', token)
    expect(await introspections(() => get('/other/x', token))).toBe(1)
  })

  it('makes one IdP call for twenty concurrent requests with a new token', async () => {
    w.idp.delay('introspect', 200)
    const token = w.idp.issue()
    let statuses: number[] = []
    const n = await introspections(async () => {
      statuses = await Promise.all(Array.from({ length: 20 }, () => get('/long/x', token).then((r) => r.status)))
    })
    expect(n).toBe(1)
    expect(statuses.every((s) => s === 200)).toBe(true)
  })

  it('shares one failed call between concurrent requests and then asks again', async () => {
    w.idp.delay('introspect', 150)
    w.idp.fault('introspect', { status: 503 })
    const token = w.idp.issue()
    const n = await introspections(async () => {
      const statuses = await Promise.all(Array.from({ length: 5 }, () => get('/long/x', token).then((r) => r.status)))
      expect(statuses).toEqual([500, 500, 500, 500, 500])
    })
    expect(n).toBe(1)
    w.idp.fault('introspect', null)
    expect((await get('/long/x', token)).status).toBe(200)
  })
})
