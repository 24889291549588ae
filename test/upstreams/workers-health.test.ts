// Health checks with KONG_NGINX_WORKER_PROCESSES=2: the node probes each target once per interval (not once
// per worker), a target taken out is out for both workers, a passive trip seen by one worker holds for the
// other, a replacement worker starts with the node's health, and the admin's /health shows the node's view.
import { describe, expect, it, vi } from 'vitest'
import { Agent, request } from 'node:http'
import { waitForVersion } from '../support/processes.ts'
import { upstreamSuite, balanced, until } from './support.ts'

vi.setConfig({ testTimeout: 90_000 })

const suite = upstreamSuite({ proxyEnv: { KONG_NGINX_WORKER_PROCESSES: '2' } })
const { make, healthOf } = suite

type WorkerStatus = { id: number; pid: number; requests: number }
const workers = async (): Promise<WorkerStatus[]> => ((await (await fetch(`${suite.gw.proxy.statusUrl}/status`)).json()) as any).workers
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** One GET on `agent`: the status and the upstream that answered. */
function get(agent: Agent, path: string): Promise<{ status: number; name: string | null }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: suite.gw.proxy.port, path, agent }, (res) => {
      res.resume()
      res.on('end', () => resolve({ status: res.statusCode!, name: (res.headers['x-upstream'] as string) ?? null }))
    })
    req.on('error', reject)
    req.end()
  })
}

/** The worker serving `agent`'s (single, kept-alive) connection, from /status's per-worker request counts. */
async function workerOf(agent: Agent, path: string): Promise<number> {
  const before = new Map((await workers()).map((w) => [w.id, w.requests]))
  await get(agent, path)
  const moved = await until(async () => (await workers()).find((w) => w.requests > (before.get(w.id) ?? 0)), 5000, 'a worker counting the request')
  return moved.id
}

describe('active health checks with two workers', () => {
  const checks = {
    active: {
      http_path: '/health',
      timeout: 1,
      healthy: { interval: 1, successes: 1 },
      unhealthy: { interval: 1, http_failures: 2, tcp_failures: 2, timeouts: 2 },
    },
  }

  it('probes each target once per interval for the node, and takes a dead target out for both workers', async () => {
    const s = await make(2, 'wa')
    await balanced(suite.api, suite.gw.proxy, 'wa.test', s, { healthchecks: checks })
    await until(async () => s[0].probes > 0 && s[1].probes > 0, 10_000, 'first probes')
    // the node reports its health to the admin (a target nobody reported has no `health` there)
    for (const t of s) expect(await until(() => healthOf('wa.test', `127.0.0.1:${t.port}`), 10_000, 'report')).toBe('HEALTHY')
    // one proxy's worth: one probe per target per second (two workers each probing would double it)
    const p0 = s[0].probes
    const p1 = s[1].probes
    await sleep(4000)
    for (const n of [s[0].probes - p0, s[1].probes - p1]) {
      expect(n).toBeGreaterThanOrEqual(3)
      expect(n).toBeLessThanOrEqual(5)
    }

    // the node's probes take it out; the admin shows the node's report
    const dead = `127.0.0.1:${s[0].port}`
    s[0].healthStatus = 500
    await until(async () => (await healthOf('wa.test', dead)) === 'UNHEALTHY', 10_000, 'unhealthy in /health')
    const before = new Map((await workers()).map((w) => [w.id, w.requests]))
    s[0].hits = 0
    // a new connection per request: the primary hands them to both workers in turn
    const answers = await Promise.all(Array.from({ length: 16 }, () => get(new Agent({ keepAlive: false }), '/wa.test')))
    expect(answers.map((a) => `${a.status} ${a.name}`)).toEqual(Array(16).fill('200 wa1'))
    expect(s[0].hits).toBe(0)
    await until(async () => (await workers()).every((w) => w.requests > (before.get(w.id) ?? 0)), 5000, 'both workers served')

    // and back in, for both, once the probes pass again
    s[0].healthStatus = 200
    await until(async () => (await healthOf('wa.test', dead)) === 'HEALTHY', 10_000, 'healthy again')
    await until(async () => {
      s[0].hits = 0
      await Promise.all(Array.from({ length: 8 }, () => get(new Agent({ keepAlive: false }), '/wa.test')))
      return s[0].hits === 4
    }, 5000, 'both workers sending to it again')
  })
})

describe('passive health checks with two workers', () => {
  it("takes a target out for the other worker too once one worker's traffic tripped it", async () => {
    const s = await make(3, 'wp')
    await balanced(suite.api, suite.gw.proxy, 'wp.test', s.slice(0, 2), { healthchecks: { passive: { unhealthy: { http_failures: 2 } } } })
    // two kept-alive connections, one on each worker
    const a = new Agent({ keepAlive: true, maxSockets: 1 })
    const wa = await workerOf(a, '/wp.test')
    let b: Agent | undefined
    for (let i = 0; i < 10 && !b; i++) {
      const c = new Agent({ keepAlive: true, maxSockets: 1 })
      if ((await workerOf(c, '/wp.test')) !== wa) b = c
      else c.destroy()
    }
    expect(b, 'a connection on the other worker').toBeDefined()

    // only worker A sees the 500s: two of them trip its breaker
    s[0].status = 500
    const seen: string[] = []
    for (let i = 0; i < 8; i++) seen.push(`${(await get(a, '/wp.test')).name}`)
    expect(seen.filter((n) => n === 'wp0')).toHaveLength(2)
    await until(async () => (await healthOf('wp.test', `127.0.0.1:${s[0].port}`)) === 'UNHEALTHY', 10_000, 'the node reporting it')

    // worker B, which never saw a failure, sends it nothing either
    s[0].hits = 0
    const onB: string[] = []
    for (let i = 0; i < 8; i++) onB.push(`${(await get(b!, '/wp.test')).name}`)
    expect(onB).toEqual(Array(8).fill('wp1'))
    expect(s[0].hits).toBe(0)

    // a config change to the upstream leaves the tripped target out, in the node and in both workers
    const t = await suite.api.post('/upstreams/wp.test/targets', { target: `127.0.0.1:${s[2].port}` })
    await waitForVersion(suite.gw.proxy, t.version)
    const after: string[] = []
    for (let i = 0; i < 4; i++) after.push(`${(await get(a, '/wp.test')).name}`, `${(await get(b!, '/wp.test')).name}`)
    expect(after.filter((n) => n === 'wp0')).toEqual([])
    expect(after.filter((n) => n === 'wp2').length).toBeGreaterThan(0)
    expect(await healthOf('wp.test', `127.0.0.1:${s[0].port}`)).toBe('UNHEALTHY')
    a.destroy()
    b!.destroy()
  })

  it('starts a replacement worker with the health the node holds', async () => {
    const s = await make(2, 'wr')
    await balanced(suite.api, suite.gw.proxy, 'wr.test', s, { healthchecks: { passive: { unhealthy: { http_failures: 1 } } } })
    const target = `127.0.0.1:${s[0].port}`
    // admin-set health reaches the node (and every worker)
    expect((await suite.api.request('PUT', `/upstreams/wr.test/targets/${target}/unhealthy`)).status).toBe(204)
    await until(async () => (await healthOf('wr.test', target)) === 'UNHEALTHY', 10_000, 'admin-set unhealthy')
    const victim = (await workers())[0]
    process.kill(victim.pid, 'SIGKILL')
    await until(async () => {
      const w = await workers()
      return w.length === 2 && !w.some((x) => x.pid === victim.pid)
    }, 20_000, 'a replacement worker')
    s[0].hits = 0
    const answers = await Promise.all(Array.from({ length: 12 }, () => get(new Agent({ keepAlive: false }), '/wr.test')))
    expect(answers.map((x) => x.name)).toEqual(Array(12).fill('wr1'))
    expect(s[0].hits).toBe(0)
  })
})
