// Helpers for DB-less black-box tests: kong.yml files in a temp dir, a DB-less gateway (admin + proxy with
// the same KONG_PLUGINS), and POST /config answers that wait until the proxy has applied them.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startGateway, waitForVersion } from '../support/processes.ts'
import { AdminClient, type AdminResponse } from '../support/admin-client.ts'

const dir = mkdtempSync(join(tmpdir(), 'postern-decl-'))
let n = 0

/** Write a config file (the extension picks the format, as in Kong) and return its path. */
export function writeConfig(text: string, ext = 'yml'): string {
  const path = join(dir, `kong-${++n}.${ext}`)
  writeFileSync(path, text)
  return path
}

export function removeConfigs(): void {
  rmSync(dir, { recursive: true, force: true })
}

export interface Dbless {
  gw: Awaited<ReturnType<typeof startGateway>>
  admin: AdminClient
  proxy: string
  /** POST /config with a YAML body; resolves once the proxy has applied a successful load. */
  load(yaml: string, query?: string): Promise<AdminResponse>
  stop(): Promise<void>
}

export async function startDbless(opts: { file?: string; plugins?: string; env?: Record<string, string> } = {}): Promise<Dbless> {
  const common = { KONG_DATABASE: 'off', KONG_PLUGINS: opts.plugins ?? 'bundled', ...opts.env }
  const adminEnv = opts.file ? { ...common, KONG_DECLARATIVE_CONFIG: opts.file } : common
  const gw = await startGateway({ adminEnv, proxyEnv: common })
  const admin = new AdminClient(gw.admin.url)
  // the start-up load is the admin's newest version; wait until the proxy serves it
  const status = await admin.get('/status')
  await waitForVersion(gw.proxy, status.body.configuration_version)
  return {
    gw,
    admin,
    proxy: gw.proxy.url,
    async load(yaml, query = '') {
      const res = await admin.request('POST', `/config${query}`, { raw: yaml, headers: { 'content-type': 'application/yaml' } })
      if (res.status === 201) await waitForVersion(gw.proxy, res.version)
      return res
    },
    stop: () => gw.stop(),
  }
}
