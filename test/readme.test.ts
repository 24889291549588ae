// The README's examples, run as written against real processes (only hosts and ports rewritten), in the
// checkout root as a new user would: admin, proxy over HTTP and TLS, and the oauth2 shared store.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT, startAdmin, startProxy, type AdminProc, type ProxyProc } from './support/processes.ts'
import { runDoc } from './support/doc-runner.ts'
import { startEchoUpstream, type EchoUpstream } from './fixtures/echo-upstream.ts'

let admin: AdminProc
let proxy: ProxyProc
let up: EchoUpstream

beforeAll(async () => {
  up = await startEchoUpstream()
  admin = await startAdmin()
  proxy = await startProxy({
    clusterPort: admin.clusterPort,
    env: { KONG_PROXY_LISTEN: '127.0.0.1:0, 127.0.0.1:0 ssl', POSTERN_STORE_PATH: join(admin.prefix, 'postern.db') },
  })
})
afterAll(async () => {
  await Promise.all([proxy?.stop(), admin?.stop()])
  for (const p of [proxy, admin]) if (p) rmSync(p.prefix, { recursive: true, force: true })
  await up?.close()
})

describe('README examples', () => {
  it('run as written, in order', async () => {
    const count = await runDoc(readFileSync(join(ROOT, 'README.md'), 'utf8'), {
      adminUrl: admin.url,
      proxies: [proxy],
      cwd: ROOT,
      replacements: [
        ['localhost:8001', `127.0.0.1:${admin.port}`],
        ['localhost:8443', `127.0.0.1:${proxy.tlsPort}`],
        ['localhost:8000', `127.0.0.1:${proxy.port}`],
        ['localhost:8100', `127.0.0.1:${proxy.statusPort}`],
        ['127.0.0.1:9000', `127.0.0.1:${up.port}`],
      ],
    })
    expect(count).toBeGreaterThan(40)
  })
})
