// Shared setup of the acl black-box files: an admin and a proxy sharing the token store (for oauth2), with
// the groups-from-header fixture plugin enabled, an echo upstream, and write-then-sync helpers.
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { startAdmin, startProxy, waitForVersion, type AdminProc, type ProxyProc } from '../../support/processes.ts'
import { AdminClient } from '../../support/admin-client.ts'
import { send, type RawResponse } from '../../support/http.ts'
import { startEchoUpstream, type EchoUpstream } from '../../fixtures/echo-upstream.ts'

const PLUGINS = 'bundled,./test/fixtures/plugins/groups-from-header.ts'

export interface AclHarness {
  admin: AdminClient
  upstream: EchoUpstream
  /** Write through the admin API (failing loudly) and wait until the proxy applied it. */
  write(method: 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, json?: unknown): Promise<any>
  get(path: string, headers?: Record<string, string>, opts?: { method?: string; body?: string }): Promise<RawResponse>
  /** A service with one route on `/<name>` and the given plugins on the route. */
  api(name: string, plugins: Array<{ name: string; config?: Record<string, unknown> }>): Promise<void>
  stop(): Promise<void>
}

export async function startAclHarness(): Promise<AclHarness> {
  const upstream = await startEchoUpstream()
  let adminProc: AdminProc | undefined
  let proxy: ProxyProc | undefined
  adminProc = await startAdmin({ env: { KONG_PLUGINS: PLUGINS } })
  const env = { KONG_PLUGINS: PLUGINS, POSTERN_STORE_PATH: join(adminProc.prefix, 'postern.db'), KONG_TRUSTED_IPS: '127.0.0.1' }
  proxy = await startProxy({ clusterPort: adminProc.clusterPort, env })
  const admin = new AdminClient(adminProc.url)
  const h: AclHarness = {
    admin,
    upstream,
    async write(method, path, json) {
      const r = await admin.request(method, path, json === undefined ? {} : { json })
      if (r.status >= 300) throw new Error(`${method} ${path} failed: ${r.status} ${r.text}`)
      await waitForVersion(proxy!, r.version)
      return r.body
    },
    get: (path, headers = {}, opts = {}) => send(proxy!.url + path, { headers, method: opts.method, body: opts.body }),
    async api(name, plugins) {
      await h.write('POST', '/services', { name, url: upstream.url })
      await h.write('POST', `/services/${name}/routes`, { name, paths: [`/${name}`] })
      for (const p of plugins) await h.write('POST', `/routes/${name}/plugins`, p)
    },
    async stop() {
      await Promise.all([proxy?.stop(), adminProc?.stop()])
      for (const p of [adminProc, proxy]) if (p) rmSync(p.prefix, { recursive: true, force: true })
      await upstream.close()
    },
  }
  return h
}
