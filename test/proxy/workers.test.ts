// KONG_NGINX_WORKER_PROCESSES=2: both workers serve on the shared listener and apply every config change,
// /status reports each worker, and a killed worker is replaced while the other keeps serving.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Agent, request } from 'node:http'
import { startGateway, waitForVersion } from '../support/processes.ts'
import { AdminClient } from '../support/admin-client.ts'
import { startEchoUpstream, type EchoUpstream } from '../fixtures/echo-upstream.ts'

let gw: Awaited<ReturnType<typeof startGateway>>
let admin: AdminClient
let up: EchoUpstream

type Worker = { id: number; pid: number; configuration_version: number; requests: number }
async function status(): Promise<{ configuration_version: number; workers: Worker[] }> {
  return (await fetch(`${gw.proxy.statusUrl}/status`)).json() as any
}

async function until<T>(what: string, f: () => Promise<T | undefined | false>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms
  for (;;) {
    const v = await f().catch(() => undefined)
    if (v) return v
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

/** One GET on the given agent; resolves with the status or the error code. */
function get(agent: Agent, path: string): Promise<number | string> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port: gw.proxy.port, path, agent }, (res) => {
      res.resume()
      res.on('end', () => resolve(res.statusCode!))
      // a response cut off by its worker's death ends with 'close' (and no 'end'): a failure, not a hang
      res.on('close', () => resolve(res.complete ? res.statusCode! : 'aborted'))
    })
    req.on('error', (e: any) => resolve(e.code ?? 'error'))
    req.end()
  })
}

beforeAll(async () => {
  up = await startEchoUpstream()
  gw = await startGateway({ proxyEnv: { KONG_NGINX_WORKER_PROCESSES: '2' } })
  admin = new AdminClient(gw.admin.url)
  await admin.post('/services', { name: 'echo', url: up.url })
  const last = await admin.post('/services/echo/routes', { paths: ['/echo'] })
  await waitForVersion(gw.proxy, last.version)
})
afterAll(async () => {
  await gw?.stop()
  await up?.close()
})

describe('proxy workers', () => {
  it('runs two workers that both serve and both apply a config change', async () => {
    const s = await status()
    expect(s.workers).toHaveLength(2)
    expect(new Set(s.workers.map((w) => w.pid)).size).toBe(2)
    // many connections: the primary hands them to the workers in turn
    const agents = Array.from({ length: 8 }, () => new Agent({ keepAlive: false }))
    const codes = await Promise.all(agents.flatMap((a) => [get(a, '/echo/x'), get(a, '/echo/y')]))
    expect(codes.every((c) => c === 200)).toBe(true)
    await until('both workers counted requests', async () => (await status()).workers.every((w) => w.requests > 0))

    const r = await admin.post('/services/echo/routes', { paths: ['/later'] })
    await waitForVersion(gw.proxy, r.version)
    const after = await status()
    expect(after.workers.map((w) => w.configuration_version)).toEqual([r.version, r.version])
    // one cluster-channel connection for the node, reporting the version both workers applied
    const planes = await until('the node reporting the new version', async () => {
      const d = ((await (await fetch(`${gw.admin.url}/status`)).json()) as any).data_planes as Array<{ connected: boolean; version?: number; config_version?: number }>
      return d.length === 1 && d[0].connected && d
    })
    expect(planes).toHaveLength(1)
    // every worker serves the new route
    const fresh = await Promise.all(Array.from({ length: 8 }, () => get(new Agent({ keepAlive: false }), '/later')))
    expect(fresh).toEqual(Array(8).fill(200))
  })

  it('replaces a killed worker; requests on the other worker never fail', async () => {
    const before = (await status()).workers
    const victim = before[0]
    // lanes of keep-alive connections spread over both workers, sending requests throughout the kill
    const lanes = Array.from({ length: 6 }, () => ({ agent: new Agent({ keepAlive: true, maxSockets: 1 }), results: [] as Array<number | string>, dropped: false }))
    for (const l of lanes) {
      await get(l.agent, '/echo/warm')
      const sock = Object.values(l.agent.freeSockets).flat()[0]!
      // a socket closed by the kill belongs to the victim: only its lane may see errors
      sock.once('close', () => (l.dropped = true))
    }
    let running = true
    const loops = lanes.map(async (l) => {
      while (running) l.results.push(await get(l.agent, '/echo/during'))
    })
    await new Promise((r) => setTimeout(r, 200))
    process.kill(victim.pid, 'SIGKILL')
    const replaced = await until('a replacement worker', async () => {
      const s = await status()
      return s.workers.length === 2 && !s.workers.some((w) => w.pid === victim.pid) && s.workers.every((w) => w.configuration_version === s.configuration_version) && s.workers
    })
    await new Promise((r) => setTimeout(r, 300))
    running = false
    await Promise.all(loops)
    expect(replaced.map((w) => w.pid)).toContain(before[1].pid)
    for (const l of lanes) {
      const failures = l.results.filter((c) => c !== 200)
      if (!l.dropped) expect(failures).toEqual([])
      else expect(failures.length).toBeLessThanOrEqual(1) // at most the request in flight when its worker died
      expect(l.results.at(-1)).toBe(200) // every lane serves again
    }
    expect(lanes.some((l) => !l.dropped)).toBe(true)
    // the new worker serves too
    const fresh = await Promise.all(Array.from({ length: 8 }, () => get(new Agent({ keepAlive: false }), '/echo/after')))
    expect(fresh).toEqual(Array(8).fill(200))
  })

  it('sums every worker\'s metrics into one /metrics, and relays a proxy-cache purge to every worker', async () => {
    const p = await admin.post('/services/echo/plugins', { name: 'prometheus', config: { status_code_metrics: true } })
    const cache = await admin.post('/services/echo/routes', { name: 'cached', paths: ['/cached'] })
    const pc = await admin.post('/routes/cached/plugins', { name: 'proxy-cache', config: { strategy: 'memory' } })
    await waitForVersion(gw.proxy, Math.max(p.version, cache.version, pc.version))
    const codes = await Promise.all(Array.from({ length: 20 }, () => get(new Agent({ keepAlive: false }), '/echo/m')))
    expect(codes.every((c) => c === 200)).toBe(true)
    const m = await (await fetch(`${gw.proxy.statusUrl}/metrics`)).text()
    const line = m.split('\n').find((l) => l.startsWith('kong_http_requests_total{service="echo"') && l.includes('code="200"'))
    expect(Number(line?.split(' ').pop())).toBeGreaterThanOrEqual(20)
    expect(m.match(/^kong_node_info\{[^}]*\} 1$/m)).not.toBeNull()
    // fill both workers' caches, purge through the admin, and every worker misses again
    const cacheStatus = async () => {
      const res = await fetch(`${gw.proxy.url}/cached/x`, { headers: { connection: 'close' } })
      await res.arrayBuffer()
      return res.headers.get('x-cache-status')
    }
    await until('both workers holding the entry', async () => {
      const seen = await Promise.all(Array.from({ length: 8 }, cacheStatus))
      return seen.every((s) => s === 'Hit')
    })
    expect((await admin.request('DELETE', '/proxy-cache')).status).toBe(204)
    await until('a miss after the purge', async () => (await cacheStatus()) === 'Miss')
  })
})
