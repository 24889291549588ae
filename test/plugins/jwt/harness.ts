// One gateway per jwt test file: admin + proxy processes, an echo upstream, and write-then-wait helpers.
import { startGateway, waitForVersion } from '../../support/processes.ts'
import { AdminClient, type AdminResponse } from '../../support/admin-client.ts'
import { send, type RawResponse } from '../../support/http.ts'
import { startEchoUpstream, type EchoUpstream } from '../../fixtures/echo-upstream.ts'

export interface JwtHarness {
  admin: AdminClient
  upstream: EchoUpstream
  proxyUrl: string
  /** Await an admin write, fail on an error status, and remember its config version. */
  w<T extends AdminResponse>(p: Promise<T>): Promise<T>
  /** Wait until the proxy applied every write made so far. */
  sync(): Promise<void>
  /** A request through the proxy. */
  get(path: string, headers?: Record<string, string>, method?: string): Promise<RawResponse>
  /** Upstream request headers echoed back by a successful proxied request. */
  upstreamHeaders(r: RawResponse): Record<string, string>
  stop(): Promise<void>
}

export async function startJwtHarness(): Promise<JwtHarness> {
  const upstream = await startEchoUpstream()
  const gw = await startGateway()
  const admin = new AdminClient(gw.admin.url)
  let version = 0
  return {
    admin,
    upstream,
    proxyUrl: gw.proxy.url,
    async w(p) {
      const r = await p
      if (r.status >= 300) throw new Error(`admin write failed: ${r.status} ${r.text}`)
      if (Number.isFinite(r.version)) version = Math.max(version, r.version)
      return r
    },
    sync: () => waitForVersion(gw.proxy, version),
    get: (path, headers = {}, method = 'GET') => send(gw.proxy.url + path, { headers, method }),
    upstreamHeaders: (r) => (r.body as { headers: Record<string, string> }).headers,
    async stop() {
      await gw.stop()
      await upstream.close()
    },
  }
}
