// KONG_CLUSTER_CONTROL_PLANE lists several admins: a proxy whose admin dies moves on to the next one and
// resumes from the version it holds, serving its last configuration meanwhile — no request fails. The two
// admins share one SQLite prefix (WAL lets two processes use it), so they share one history.
import { rmSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startAdmin, startProxy, waitForVersion, type AdminProc, type ProxyProc } from '../support/processes.ts'
import { AdminClient } from '../support/admin-client.ts'
import { startEchoUpstream, type EchoUpstream } from '../fixtures/echo-upstream.ts'

let first: AdminProc
let second: AdminProc
let upstream: EchoUpstream
const proxies: ProxyProc[] = []

beforeAll(async () => {
  upstream = await startEchoUpstream()
  first = await startAdmin()
  second = await startAdmin({ prefix: first.prefix })
})
afterAll(async () => {
  await Promise.all([...proxies.map((p) => p.stop()), first?.stop(), second?.stop()])
  await upstream?.close()
  if (first) rmSync(first.prefix, { recursive: true, force: true })
  for (const p of proxies) rmSync(p.prefix, { recursive: true, force: true })
})

async function until(cond: () => Promise<boolean>, what: string, ms = 15_000): Promise<void> {
  const end = Date.now() + ms
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

const status = async (p: ProxyProc) => (await (await fetch(`${p.statusUrl}/status`)).json()) as { configuration_version: number; configuration_hash: string }

describe('control plane failover', () => {
  it('moves to the next control plane when its admin dies, resumes, and no request fails meanwhile', async () => {
    const a = new AdminClient(first.url)
    await a.post('/services', { name: 'echo', url: upstream.url })
    const r = await a.post('/services/echo/routes', { name: 'before', paths: ['/before'] })
    expect(r.status).toBe(201)
    const proxy = await startProxy({ clusterPort: first.clusterPort, env: { KONG_CLUSTER_CONTROL_PLANE: `127.0.0.1:${first.clusterPort}, 127.0.0.1:${second.clusterPort}` } })
    proxies.push(proxy)
    await waitForVersion(proxy, r.version)

    // traffic all along: two clients in a loop, every answer recorded
    let running = true
    const failures: string[] = []
    let served = 0
    const client = async () => {
      while (running) {
        try {
          const res = await fetch(`${proxy.url}/before`)
          await res.arrayBuffer()
          if (res.status === 200) served++
          else failures.push(`status ${res.status}`)
        } catch (e) {
          failures.push(String(e))
        }
      }
    }
    const clients = [client(), client()]
    await until(async () => served > 20, 'traffic before the failover')

    await first.kill() // SIGKILL: no goodbye on the channel
    const b = new AdminClient(second.url)
    const w = await b.post('/services/echo/routes', { name: 'after', paths: ['/after'] })
    expect(w.status).toBe(201)
    expect(w.version).toBe(r.version + 1) // one history: the second admin continues the first's versions
    await waitForVersion(proxy, w.version, 20_000)
    expect((await fetch(`${proxy.url}/after`)).status).toBe(200)
    const atFailover = served
    await until(async () => served > atFailover + 20, 'traffic after the failover')
    running = false
    await Promise.all(clients)

    expect(failures).toEqual([])
    const s = await status(proxy)
    const head = (await b.get('/status')).body
    expect(s.configuration_version).toBe(head.configuration_version)
    expect(s.configuration_hash).toBe(head.configuration_hash)
    // the second admin lists the proxy as connected to it
    const listed = head.data_planes.filter((n: any) => n.connected)
    expect(listed.length).toBe(1)
  })

  it('starts from a later control plane when the first listed one is down', async () => {
    const b = new AdminClient(second.url)
    const w = await b.post('/services/echo/routes', { name: 'late', paths: ['/late'] })
    const proxy = await startProxy({ clusterPort: second.clusterPort, env: { KONG_CLUSTER_CONTROL_PLANE: `127.0.0.1:${first.clusterPort},127.0.0.1:${second.clusterPort}` } })
    proxies.push(proxy)
    await waitForVersion(proxy, w.version)
    expect((await fetch(`${proxy.url}/late`)).status).toBe(200)
  })

  it('refuses a malformed control plane list at start', async () => {
    await expect(startProxy({ clusterPort: second.clusterPort, env: { KONG_CLUSTER_CONTROL_PLANE: '127.0.0.1:1, not a host' } })).rejects.toThrow(/KONG_CLUSTER_CONTROL_PLANE/)
  })
})
