// Health checks, black-box: active probes take a dead target out and bring it back, passive checks (the
// circuit breaker on real traffic) take out a failing one, and unchanged targets keep their health across
// config changes.
import { describe, expect, it, vi } from 'vitest'
import { startProxy, waitForVersion } from '../support/processes.ts'
import { upstreamSuite, balanced, hit, spread, until } from './support.ts'

// each test polls with deadlines of its own; a loaded shared machine may need more than the default 30 s
vi.setConfig({ testTimeout: 90_000 })

const suite = upstreamSuite()
const { make, healthOf } = suite


describe('active health checks', () => {
  const active = {
    active: {
      http_path: '/health',
      timeout: 1,
      healthy: { interval: 0.2, successes: 2 },
      unhealthy: { interval: 0.2, http_failures: 2, tcp_failures: 2, timeouts: 2 },
    },
  }

  it('takes a dead target out and puts it back when it answers again', async () => {
    const s = await make(2, 'ac')
    await balanced(suite.api, suite.gw.proxy, 'ac.test', s, { healthchecks: active })
    const dead = `127.0.0.1:${s[0].port}`
    await until(async () => s[0].probes > 0 && s[1].probes > 0, 10_000, 'probes')
    expect(await until(() => healthOf('ac.test', dead), 10_000, 'report')).toBe('HEALTHY')

    // failing probes (a 500 on /health, while real requests would still succeed) take it out
    s[0].healthStatus = 500
    await until(async () => (await healthOf('ac.test', dead)) === 'UNHEALTHY', 10_000, 'unhealthy')
    s[0].hits = 0
    expect(await spread(suite.gw.proxy, '/ac.test', 10)).toEqual({ ac1: 10 })
    expect(s[0].hits).toBe(0)

    // probes that pass again bring it back
    s[0].healthStatus = 200
    await until(async () => (await healthOf('ac.test', dead)) === 'HEALTHY', 10_000, 'healthy again')
    expect(await spread(suite.gw.proxy, '/ac.test', 10)).toEqual({ ac0: 5, ac1: 5 })
  })

  it('counts refused connections as tcp failures', async () => {
    const s = await make(2, 'at')
    await balanced(suite.api, suite.gw.proxy, 'at.test', s, { healthchecks: active })
    await s[0].stop()
    await until(async () => (await healthOf('at.test', `127.0.0.1:${s[0].port}`)) === 'UNHEALTHY', 10_000, 'unhealthy')
    await s[0].start()
    await until(async () => (await healthOf('at.test', `127.0.0.1:${s[0].port}`)) === 'HEALTHY', 10_000, 'healthy again')
  })
})

describe('passive health checks', () => {
  it('stops sending traffic to a target that keeps answering 500', async () => {
    const s = await make(2, 'pa')
    await balanced(suite.api, suite.gw.proxy, 'pa.test', s, { healthchecks: { passive: { unhealthy: { http_failures: 2 } } } })
    s[0].status = 500
    const first = await spread(suite.gw.proxy, '/pa.test', 10)
    // two 500s (passed on to the client) trip the breaker; everything after goes to the healthy target
    expect(first.pa0).toBe(2)
    expect(first.pa1).toBe(8)
    expect(await spread(suite.gw.proxy, '/pa.test', 6)).toEqual({ pa1: 6 })
    // the admin shows it once the proxy's report arrives
    await until(async () => (await healthOf('pa.test', `127.0.0.1:${s[0].port}`)) === 'UNHEALTHY', 10_000, 'report')
  })

  it("shows in /health what any proxy sees: a target one proxy took out is UNHEALTHY, and HEALTHY again when that proxy leaves", async () => {
    const s = await make(2, 'mp')
    const other = await startProxy({ clusterPort: suite.gw.admin.clusterPort })
    try {
      const { upstream } = await balanced(suite.api, suite.gw.proxy, 'mp.test', s, { healthchecks: { passive: { unhealthy: { http_failures: 1 } } } })
      await waitForVersion(other, (await suite.api.get('/status')).body.configuration_version)
      const target = `127.0.0.1:${s[0].port}`
      // only the second proxy sees the 500
      s[0].status = 500
      await until(async () => (await fetch(`${other.url}/mp.test`)).headers.get('x-upstream') === 'mp0', 5000, '500 seen by the second proxy')
      s[0].status = 200
      expect(await until(async () => (await healthOf('mp.test', target)) === 'UNHEALTHY', 10_000, 'aggregated')).toBe(true)
      // the first proxy still sends it traffic
      expect(await spread(suite.gw.proxy, '/mp.test', 4)).toEqual({ mp0: 2, mp1: 2 })
      await other.stop()
      expect(await until(async () => (await healthOf('mp.test', target)) === 'HEALTHY', 10_000, 'after the proxy left')).toBe(true)
      expect(upstream.name).toBe('mp.test')
    } finally {
      await other.stop()
    }
  })

  it('keeps the health of unchanged targets when another target is added', async () => {
    const s = await make(3, 'pk')
    await balanced(suite.api, suite.gw.proxy, 'pk.test', s.slice(0, 2), { healthchecks: { passive: { unhealthy: { http_failures: 1 } } } })
    s[0].status = 500
    await spread(suite.gw.proxy, '/pk.test', 4)
    expect(await spread(suite.gw.proxy, '/pk.test', 4)).toEqual({ pk1: 4 })
    const t = await suite.api.post('/upstreams/pk.test/targets', { target: `127.0.0.1:${s[2].port}` })
    await waitForVersion(suite.gw.proxy, t.version)
    // the 500-answering target is still out: traffic goes to the old healthy one and the new one only
    expect(await spread(suite.gw.proxy, '/pk.test', 6)).toEqual({ pk1: 3, pk2: 3 })
    const r = await hit(suite.gw.proxy, '/pk.test')
    expect(r.status).toBe(200)
  })
})
