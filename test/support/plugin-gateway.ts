// A gateway + echo upstream for a plugin's black-box tests: admin writes that record the config version,
// a wait until the proxy applied them, and raw proxy requests.
import { startEchoUpstream, type EchoUpstream } from '../fixtures/echo-upstream.ts'
import { AdminClient, type AdminResponse } from './admin-client.ts'
import { send } from './http.ts'
import { startGateway, waitForVersion } from './processes.ts'

export interface PluginGateway {
  up: EchoUpstream
  gw: Awaited<ReturnType<typeof startGateway>>
  admin: AdminClient
  /** Runs an admin write, fails on an error answer, and remembers its config version. */
  w(p: Promise<AdminResponse>): Promise<AdminResponse>
  /** Waits until the proxy applied every write made so far. */
  sync(): Promise<void>
  proxy(path: string, opts?: { method?: string; headers?: Record<string, string | string[]>; body?: string | Buffer }): ReturnType<typeof send>
  stop(): Promise<void>
}

export async function startPluginGateway(opts: Parameters<typeof startGateway>[0] = {}): Promise<PluginGateway> {
  const up = await startEchoUpstream()
  const gw = await startGateway(opts)
  const admin = new AdminClient(gw.admin.url)
  let v = 0
  return {
    up, gw, admin,
    async w(p) {
      const r = await p
      if (r.status >= 300) throw new Error(`${r.status} ${r.text}`)
      v = Math.max(v, r.version || 0)
      return r
    },
    sync: () => waitForVersion(gw.proxy, v),
    proxy: (path, o = {}) => send(gw.proxy.url + path, o),
    async stop() {
      await gw.stop()
      await up.close()
    },
  }
}
