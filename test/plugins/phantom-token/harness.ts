// One world per test file for the token plugins: a gateway (admin + proxy processes), the fixture IdP and
// an echo upstream, plus `expose()` to put a plugin on a fresh route and wait until the proxy has it.
import { startGateway, waitForVersion } from '../../support/processes.ts'
import { AdminClient } from '../../support/admin-client.ts'
import { startEchoUpstream, type EchoUpstream } from '../../fixtures/echo-upstream.ts'
import { startIdp, type Idp } from '../../fixtures/idp.ts'

export interface World {
  gw: Awaited<ReturnType<typeof startGateway>>
  admin: AdminClient
  idp: Idp
  upstream: EchoUpstream
  proxy: string
  /** Service on the echo upstream + route on `path` + the plugin on that route; resolves once applied. */
  expose(path: string, plugin: string, config: Record<string, unknown>): Promise<{ plugin: any }>
  /** Wait until the proxy has applied the config version of an admin write. */
  applied(res: { status: number; version: number; text: string }): Promise<void>
  stop(): Promise<void>
}

export async function startWorld(): Promise<World> {
  const [gw, idp, upstream] = await Promise.all([startGateway(), startIdp(), startEchoUpstream()])
  const admin = new AdminClient(gw.admin.url)
  let n = 0
  const applied = async (res: { status: number; version: number; text: string }) => {
    if (res.status >= 300) throw new Error(`admin write failed: ${res.status} ${res.text}`)
    await waitForVersion(gw.proxy, res.version)
  }
  return {
    gw, admin, idp, upstream,
    proxy: gw.proxy.url,
    applied,
    async expose(path, plugin, config) {
      const name = `svc-${++n}`
      const s = await admin.post('/services', { name, url: `${upstream.url}${path}` })
      if (s.status !== 201) throw new Error(`service: ${s.text}`)
      const r = await admin.post(`/services/${name}/routes`, { name: `${name}-route`, paths: [path] })
      if (r.status !== 201) throw new Error(`route: ${r.text}`)
      const p = await admin.post(`/routes/${name}-route/plugins`, { name: plugin, config })
      await applied(p)
      return { plugin: p.body }
    },
    async stop() {
      await Promise.all([gw.stop(), idp.close(), upstream.close()])
    },
  }
}

/** A token from the IdP's client-credentials endpoint, as seed 000's curl gets it. */
export async function clientCredentialsToken(idp: Idp, scope = 'read'): Promise<string> {
  const res = await fetch(idp.urls.token, {
    method: 'POST',
    headers: { authorization: 'Basic ' + Buffer.from('api-client:Password1').toString('base64'), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope }).toString(),
  })
  if (res.status !== 200) throw new Error(`token endpoint: ${res.status}`)
  return ((await res.json()) as { access_token: string }).access_token
}

/** The phantom-token config of seed 000's YAML, pointed at the fixture IdP. */
export function seedConfig(idp: Idp, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { introspection_endpoint: idp.urls.introspect, client_id: 'api-gateway-client', client_secret: 'Password1', token_cache_seconds: 900, scope: 'read', ...extra }
}
