// The cluster channel end to end: changes reach proxies, proxies keep serving without the admin, restart
// from their cache, reconnect and catch up; several proxies follow one admin.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rmSync } from 'node:fs'
import { startAdmin, startProxy, waitForVersion, type AdminProc, type ProxyProc } from '../support/processes.ts'
import { AdminClient } from '../support/admin-client.ts'
import { startEchoUpstream, type EchoUpstream } from '../fixtures/echo-upstream.ts'

let up: EchoUpstream
let admin: AdminProc
let client: AdminClient
const proxies: ProxyProc[] = []

async function status(p: ProxyProc) {
  return (await (await fetch(`${p.statusUrl}/status`)).json()) as any
}
async function get(p: ProxyProc, path: string) {
  const r = await fetch(p.url + path)
  return { status: r.status, body: (await r.json()) as any }
}

beforeAll(async () => {
  up = await startEchoUpstream()
  admin = await startAdmin()
  client = new AdminClient(admin.url)
  proxies.push(await startProxy({ clusterPort: admin.clusterPort }))
  proxies.push(await startProxy({ clusterPort: admin.clusterPort }))
})
afterAll(async () => {
  await Promise.all([...proxies.map((p) => p.stop()), admin?.stop()])
  for (const p of [...proxies, admin]) if (p) rmSync(p.prefix, { recursive: true, force: true })
  await up?.close()
})

describe('hot reload', () => {
  it('applies an admin change on every proxy', async () => {
    await client.post('/services', { name: 'svc', url: `${up.url}/one` })
    const r = await client.post('/services/svc/routes', { name: 'r', paths: ['/hot'] })
    for (const p of proxies) {
      await waitForVersion(p, r.version)
      expect((await get(p, '/hot')).body.url).toBe('/one')
    }
    const u = await client.patch('/services/svc', { path: '/two' })
    for (const p of proxies) {
      await waitForVersion(p, u.version)
      expect((await get(p, '/hot')).body.url).toBe('/two')
    }
  })

  it('reports the same version and hash on the admin and every proxy', async () => {
    const a = (await client.get('/status')).body
    for (const p of proxies) {
      const s = await status(p)
      expect(s.configuration_version).toBe(a.configuration_version)
      expect(s.configuration_hash).toBe(a.configuration_hash)
    }
    const nodes = a.data_planes.filter((n: any) => n.connected)
    expect(nodes.length).toBe(2)
    for (const n of nodes) expect(n.version).toBe(a.configuration_version)
  })

  it('coalesces a burst of changes and ends on the last version', async () => {
    let last = 0
    for (let i = 0; i < 30; i++) last = (await client.post('/services/svc/routes', { paths: [`/burst${i}`] })).version
    for (const p of proxies) {
      await waitForVersion(p, last)
      expect((await get(p, '/burst29')).status).toBe(200)
    }
  })

  it('keeps serving the last configuration when the admin is killed', async () => {
    await admin.kill()
    for (const p of proxies) expect((await get(p, '/hot')).body.url).toBe('/two')
    expect((await status(proxies[0])).control_plane_connected).toBe(false)
  })

  it('restarts a proxy from its cache while the admin is down, even after a SIGKILL', async () => {
    const old = proxies.shift()!
    await old.kill() // no chance to flush: every applied change must already be on disk (snapshot + journal)
    const restarted = await startProxy({ clusterPort: admin.clusterPort, prefix: old.prefix })
    proxies.unshift(restarted)
    expect((await get(restarted, '/hot')).body.url).toBe('/two')
  })

  it('reconnects and catches up with changes made while it was away', async () => {
    admin = await startAdmin({ prefix: admin.prefix, env: { KONG_CLUSTER_LISTEN: `127.0.0.1:${admin.clusterPort}` } })
    client = new AdminClient(admin.url)
    const u = await client.patch('/services/svc', { path: '/three' })
    for (const p of proxies) {
      await waitForVersion(p, u.version, 15_000)
      expect((await get(p, '/hot')).body.url).toBe('/three')
    }
  })
})
