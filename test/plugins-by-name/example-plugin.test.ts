// Third-party plugins by name: the example plugin in examples/ is loaded by path on admin and proxy
// (KONG_PLUGINS=bundled,<path>), configured through the admin API and runs; a plugin that cannot be loaded
// stops start-up with a message naming it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startEchoUpstream, type EchoUpstream } from '../fixtures/echo-upstream.ts'
import { AdminClient } from '../support/admin-client.ts'
import { startAdmin, startGateway, startProxy, waitForVersion } from '../support/processes.ts'

const PLUGINS = 'bundled,./examples/postern-plugin-header-echo'

let up: EchoUpstream
let gw: Awaited<ReturnType<typeof startGateway>>
let admin: AdminClient

beforeAll(async () => {
  up = await startEchoUpstream()
  gw = await startGateway({ adminEnv: { KONG_PLUGINS: PLUGINS }, proxyEnv: { KONG_PLUGINS: PLUGINS } })
  admin = new AdminClient(gw.admin.url)
})
afterAll(async () => {
  await gw?.stop()
  await up?.close()
})

/** The error a process start failed with ('' if it started, which the tests treat as a failure). */
async function startFailure(start: () => Promise<{ stop(): Promise<unknown> }>): Promise<string> {
  return start().then(
    async (p) => {
      await p.stop()
      return ''
    },
    (e: Error) => e.message,
  )
}

describe('the example plugin, loaded by path', () => {
  it('is enabled under the name it declares', async () => {
    expect((await admin.get('/plugins/enabled')).body.enabled_plugins).toContain('header-echo')
    expect((await admin.get('/')).body.plugins.available_on_server['header-echo']).toEqual({ version: '1.0.0', priority: 900 })
  })

  it('has its config validated by the admin with Kong errors', async () => {
    const res = await admin.post('/plugins', { name: 'header-echo', config: { headers: [], colour: 'red' } })
    expect(res.status).toBe(400)
    expect(res.body.fields).toEqual({ config: { colour: 'unknown field', headers: 'length must be at least 1' } })
  })

  it('runs on the proxy: refuses a request without its header, echoes it otherwise', async () => {
    expect((await admin.post('/services', { name: 'echo', url: up.url })).status).toBe(201)
    expect((await admin.post('/services/echo/routes', { name: 'echo', paths: ['/echo'] })).status).toBe(201)
    const plugin = await admin.post('/routes/echo/plugins', { name: 'header-echo', config: { headers: ['X-Trace'], required: true, upstream_header: 'x-echoed' } })
    expect(plugin.status).toBe(201)
    expect(plugin.body.config).toEqual({ headers: ['X-Trace'], prefix: 'X-Echo-', required: true, upstream_header: 'x-echoed' })
    await waitForVersion(gw.proxy, plugin.version)

    const refused = await fetch(`${gw.proxy.url}/echo/a`)
    expect(refused.status).toBe(400)
    expect(await refused.json()).toEqual({ message: 'missing header: x-trace' })
    const ok = await fetch(`${gw.proxy.url}/echo/a`, { headers: { 'x-trace': 't-1' } })
    expect(ok.status).toBe(200)
    expect(ok.headers.get('x-echo-x-trace')).toBe('t-1')
    expect(((await ok.json()) as { headers: Record<string, string> }).headers['x-echoed']).toBe('header-echo')
  })
})

describe('a plugin that cannot be loaded', () => {
  it('stops the admin and the proxy at start with a message naming it', async () => {
    const env = (plugins: string) => ({ KONG_PLUGINS: plugins })
    const [missing, notPlugin, noPhase] = await Promise.all([
      startFailure(() => startAdmin({ env: env('bundled,./examples/no-such-plugin') })),
      startFailure(() => startProxy({ clusterPort: gw.admin.clusterPort, env: env('bundled,./test/plugins-by-name/fixtures/not-a-plugin.ts') })),
      startFailure(() => startAdmin({ env: env('bundled,./test/plugins-by-name/fixtures/no-phase-plugin.ts') })),
    ])
    expect(missing).toMatch(/exited with [1-9]/)
    expect(missing).toContain("plugin './examples/no-such-plugin' could not be loaded: Cannot find module")
    expect(notPlugin).toMatch(/exited with [1-9]/)
    expect(notPlugin).toContain("plugin './test/plugins-by-name/fixtures/not-a-plugin.ts' does not export a definePlugin(...) object as default")
    expect(noPhase).toContain("invalid plugin 'no-phase': handler must have at least one phase")
  })
})
