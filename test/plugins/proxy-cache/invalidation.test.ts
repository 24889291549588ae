// proxy-cache across two proxies of one admin: each proxy has its own memory (Miss on each), and the
// admin's /proxy-cache endpoints purge one key or everything on every proxy.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rmSync } from 'node:fs'
import { startAdmin, startProxy, waitForVersion, type AdminProc, type ProxyProc } from '../../support/processes.ts'
import { AdminClient } from '../../support/admin-client.ts'
import { send } from '../../support/http.ts'
import { startScriptedUpstream, type ScriptedUpstream } from '../../fixtures/scripted-upstream.ts'

let adminProc: AdminProc
let p1: ProxyProc
let p2: ProxyProc
let up: ScriptedUpstream
let admin: AdminClient
let pluginId = ''

const status = async (p: ProxyProc, path: string) => (await send(p.url + path)).headers['x-cache-status']

/**
 * Poll until each proxy has answered `want` for the path (a broadcast reaches the two at different moments).
 * A proxy that answered it is not asked again: its Miss stored the entry anew, so its next answer is a Hit.
 */
async function eventually(path: string, want: string) {
  const until = Date.now() + 10_000
  const pending = new Set([p1, p2])
  for (;;) {
    for (const p of [...pending]) if ((await status(p, path)) === want) pending.delete(p)
    if (!pending.size) return
    if (Date.now() > until) throw new Error(`expected ${want} on every proxy for ${path}, ${pending.size} did not`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

beforeAll(async () => {
  up = await startScriptedUpstream()
  adminProc = await startAdmin()
  p1 = await startProxy({ clusterPort: adminProc.clusterPort })
  p2 = await startProxy({ clusterPort: adminProc.clusterPort })
  admin = new AdminClient(adminProc.url)
  await admin.post('/services', { name: 'svc', url: up.url })
  await admin.post('/services/svc/routes', { name: 'r', paths: ['/r'] })
  const p = await admin.post('/routes/r/plugins', { name: 'proxy-cache', config: { strategy: 'memory' } })
  pluginId = p.body.id
  await waitForVersion(p1, p.version)
  await waitForVersion(p2, p.version)
})
afterAll(async () => {
  await Promise.all([p1?.stop(), p2?.stop()])
  await adminProc?.stop()
  await up?.close()
  for (const p of [adminProc, p1, p2]) if (p) rmSync(p.prefix, { recursive: true, force: true })
})

describe('proxy-cache purge across proxies', () => {
  it('keeps a separate memory cache per proxy', async () => {
    expect(await status(p1, '/r/a')).toBe('Miss')
    expect(await status(p1, '/r/a')).toBe('Hit')
    expect(await status(p2, '/r/a')).toBe('Miss')
    expect(await status(p2, '/r/a')).toBe('Hit')
  })

  it('DELETE /proxy-cache/{key} purges that key on every proxy and leaves the others', async () => {
    await status(p1, '/r/b')
    await status(p2, '/r/b')
    const key = (await send(p1.url + '/r/a')).headers['x-cache-key'] as string
    const r = await admin.delete(`/proxy-cache/${key}`)
    expect(r.status).toBe(204)
    await eventually('/r/a', 'Miss')
    expect(await status(p1, '/r/b')).toBe('Hit')
    expect(await status(p2, '/r/b')).toBe('Hit')
  })

  it('DELETE /proxy-cache/{plugin_id}/caches/{key} purges on every proxy; an unknown plugin is 404', async () => {
    const key = (await send(p1.url + '/r/b')).headers['x-cache-key'] as string
    expect((await admin.delete(`/proxy-cache/${pluginId}/caches/${key}`)).status).toBe(204)
    await eventually('/r/b', 'Miss')
    const missing = await admin.delete(`/proxy-cache/00000000-0000-4000-8000-000000000000/caches/${key}`)
    expect(missing.status).toBe(404)
    expect(missing.body).toEqual({ message: 'Not found' })
  })

  it('DELETE /proxy-cache purges everything on every proxy', async () => {
    await status(p1, '/r/c')
    await status(p2, '/r/c')
    expect(await status(p1, '/r/c')).toBe('Hit')
    expect((await admin.delete('/proxy-cache')).status).toBe(204)
    await eventually('/r/c', 'Miss')
  })
})
