// Load balancing over an upstream's targets, black-box: weighted round-robin, weight 0, consistent hashing,
// least-connections, retries to another target, admin-set health and the all-down 503.
import { describe, expect, it, vi } from 'vitest'
import { waitForVersion } from '../support/processes.ts'
import { upstreamSuite, balanced, hit, spread, until } from './support.ts'

// each test polls with deadlines of its own; a loaded shared machine may need more than the default 30 s
vi.setConfig({ testTimeout: 90_000 })

const suite = upstreamSuite()
const { make } = suite

describe('round-robin', () => {
  it('spreads requests by weight within a tolerance', async () => {
    const s = await make(3, 'rr')
    await balanced(suite.api, suite.gw.proxy, 'rr.test', s, {}, [100, 200, 100])
    const got = await spread(suite.gw.proxy, '/rr.test', 100)
    // smooth weighted round-robin is deterministic: 1:2:1 of 100 exactly, allow a small slack anyway
    expect(got.rr0).toBeGreaterThanOrEqual(22)
    expect(got.rr0).toBeLessThanOrEqual(28)
    expect(got.rr1).toBeGreaterThanOrEqual(47)
    expect(got.rr1).toBeLessThanOrEqual(53)
    expect(got.rr2).toBeGreaterThanOrEqual(22)
    expect(got.rr2).toBeLessThanOrEqual(28)
  })

  it('sends nothing to a target of weight 0', async () => {
    const s = await make(2, 'w0-')
    await balanced(suite.api, suite.gw.proxy, 'w0.test', s, {}, [100, 0])
    const got = await spread(suite.gw.proxy, '/w0.test', 20)
    expect(got).toEqual({ 'w0-0': 20 })
    expect(s[1].hits).toBe(0)
  })

  it('sends the service host as Host, or the upstream host_header when set', async () => {
    const s = await make(1, 'hh')
    await balanced(suite.api, suite.gw.proxy, 'hh.test', s, { host_header: 'backend.example:8080' })
    const r = await hit(suite.gw.proxy, '/hh.test/x')
    expect(r.status).toBe(200)
    expect(r.body.host).toBe('backend.example:8080')
  })
})

describe('consistent hashing', () => {
  it('keeps most keys on their target when a target is added', async () => {
    const s = await make(4, 'ch')
    await balanced(suite.api, suite.gw.proxy, 'ch.test', s.slice(0, 3), { hash_on: 'header', hash_on_header: 'x-user' })
    const before = new Map<string, string>()
    for (let i = 0; i < 120; i++) {
      const r = await hit(suite.gw.proxy, '/ch.test', { 'x-user': `user-${i}` })
      before.set(`user-${i}`, r.name!)
    }
    // the same key always lands on the same target
    for (let i = 0; i < 10; i++) expect((await hit(suite.gw.proxy, '/ch.test', { 'x-user': `user-${i}` })).name).toBe(before.get(`user-${i}`))
    expect(new Set(before.values()).size).toBe(3)
    const t = await suite.api.post('/upstreams/ch.test/targets', { target: `127.0.0.1:${s[3].port}` })
    await waitForVersion(suite.gw.proxy, t.version)
    let moved = 0
    for (const [k, name] of before) {
      const r = await hit(suite.gw.proxy, '/ch.test', { 'x-user': k })
      if (r.name !== name) {
        moved++
        // a key that moves, moves to the new target
        expect(r.name).toBe('ch3')
      }
    }
    expect(t.status).toBe(201)
    // ideal is 1/4 of the keys; well under half must stay put
    expect(moved).toBeGreaterThan(0)
    expect(moved).toBeLessThan(60)
  })
})

describe('hashing on a cookie', () => {
  it('hands out a hash cookie when the client has none, and the cookie keeps the client on one target', async () => {
    const s = await make(3, 'ck')
    await balanced(suite.api, suite.gw.proxy, 'ck.test', s, { hash_on: 'cookie', hash_on_cookie: 'lb', hash_on_cookie_path: '/ck.test' })
    const first = await fetch(`${suite.gw.proxy.url}/ck.test`)
    const cookie = first.headers.get('set-cookie')!
    expect(cookie).toMatch(/^lb=[0-9a-f-]{36}; Path=\/ck\.test; Same-Site=Lax; HttpOnly$/)
    const name = first.headers.get('x-upstream')
    const value = cookie.split(';')[0]
    for (let i = 0; i < 8; i++) {
      const r = await fetch(`${suite.gw.proxy.url}/ck.test`, { headers: { cookie: value } })
      expect(r.headers.get('x-upstream')).toBe(name)
      expect(r.headers.get('set-cookie')).toBe(null)
    }
  })
})

describe('least-connections', () => {
  it('sends fewer requests to a slow target', async () => {
    const s = await make(2, 'lc')
    s[0].delayMs = 400
    await balanced(suite.api, suite.gw.proxy, 'lc.test', s, { algorithm: 'least-connections' })
    // 4 clients in a loop, 60 requests in all: the slow target keeps its connections longer, so it gets fewer
    let left = 60
    const client = async () => {
      while (left-- > 0) await hit(suite.gw.proxy, '/lc.test')
    }
    await Promise.all(Array.from({ length: 4 }, client))
    expect(s[0].hits + s[1].hits).toBe(60)
    expect(s[1].hits).toBeGreaterThan(s[0].hits * 2)
  })
})

describe('config changes', () => {
  it('finishes in-flight requests while targets are added, reweighted and removed', async () => {
    const s = await make(3, 'cc')
    s[0].delayMs = 1500
    await balanced(suite.api, suite.gw.proxy, 'cc.test', s.slice(0, 1))
    const inflight = hit(suite.gw.proxy, '/cc.test')
    await until(async () => s[0].hits > 0, 5000, 'request reached the upstream')
    const add = await suite.api.post('/upstreams/cc.test/targets', { target: `127.0.0.1:${s[1].port}` })
    await suite.api.patch(`/upstreams/cc.test/targets/127.0.0.1:${s[0].port}`, { weight: 5 })
    const del = await suite.api.delete(`/upstreams/cc.test/targets/127.0.0.1:${s[0].port}`)
    expect(add.status).toBe(201)
    await waitForVersion(suite.gw.proxy, Number(del.headers.get('x-postern-config-version')))
    const r = await inflight
    expect(r.status).toBe(200)
    expect(r.name).toBe('cc0')
    expect(await spread(suite.gw.proxy, '/cc.test', 4)).toEqual({ cc1: 4 })
  })
})

describe('retries and health', () => {
  it('retries a failed connection on another target', async () => {
    const s = await make(2, 're')
    await balanced(suite.api, suite.gw.proxy, 're.test', s)
    await s[0].stop()
    const got = await spread(suite.gw.proxy, '/re.test', 10)
    expect(got).toEqual({ re1: 10 })
  })

  it('takes a target out and back in when the admin sets its health, and says so in /health', async () => {
    const s = await make(2, 'ah')
    await balanced(suite.api, suite.gw.proxy, 'ah.test', s, { healthchecks: { passive: { unhealthy: { http_failures: 3 } } } })
    const target = `127.0.0.1:${s[0].port}`
    expect((await suite.api.put(`/upstreams/ah.test/targets/${target}/unhealthy`, {})).status).toBe(204)
    await until(async () => {
      const got = await spread(suite.gw.proxy, '/ah.test', 6)
      return got['ah1'] === 6
    }, 10_000, 'target out')
    const h = await until(async () => {
      const r = await suite.api.get('/upstreams/ah.test/health')
      const t = r.body.data.find((x: any) => x.target === target)
      return t?.health === 'UNHEALTHY' ? r.body : null
    }, 10_000, 'health reported')
    expect(h.node_id).toEqual(expect.any(String))
    const t0 = h.data.find((x: any) => x.target === target)
    expect(t0.data.addresses).toEqual([{ ip: '127.0.0.1', port: s[0].port, health: 'UNHEALTHY', weight: 100 }])
    expect(h.data.find((x: any) => x.target === `127.0.0.1:${s[1].port}`).health).toBe('HEALTHY')
    expect((await suite.api.put(`/upstreams/ah.test/targets/${target}/healthy`, {})).status).toBe(204)
    await until(async () => (await spread(suite.gw.proxy, '/ah.test', 6))['ah0'] === 3, 10_000, 'target back')
  })

  it("answers 503 with Kong's body when every target is unhealthy", async () => {
    const s = await make(2, 'ad')
    await balanced(suite.api, suite.gw.proxy, 'ad.test', s, { healthchecks: { passive: { unhealthy: { tcp_failures: 2 } } } })
    for (const x of s) expect((await suite.api.put(`/upstreams/ad.test/targets/127.0.0.1:${x.port}/unhealthy`, {})).status).toBe(204)
    const r = await until(async () => {
      const x = await hit(suite.gw.proxy, '/ad.test')
      return x.status === 503 ? x : null
    }, 10_000, '503')
    expect(r.body).toEqual({ message: 'failure to get a peer from the ring-balancer', request_id: expect.any(String) })
  })

  it('answers 503 while less than healthchecks.threshold percent of the weight is healthy', async () => {
    const s = await make(2, 'th')
    await balanced(suite.api, suite.gw.proxy, 'th.test', s, { healthchecks: { threshold: 60, passive: { unhealthy: { tcp_failures: 2 } } } })
    expect((await hit(suite.gw.proxy, '/th.test')).status).toBe(200)
    expect((await suite.api.put(`/upstreams/th.test/targets/127.0.0.1:${s[0].port}/unhealthy`, {})).status).toBe(204)
    await until(async () => (await hit(suite.gw.proxy, '/th.test')).status === 503, 10_000, '503 below the threshold')
    expect((await suite.api.put(`/upstreams/th.test/targets/127.0.0.1:${s[0].port}/healthy`, {})).status).toBe(204)
    await until(async () => (await hit(suite.gw.proxy, '/th.test')).status === 200, 10_000, 'back above the threshold')
  })
})
