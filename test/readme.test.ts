// The README's examples, run as written against real processes (only hosts and ports rewritten), in the
// checkout root as a new user would: admin, proxy over HTTP and TLS, the oauth2 shared store, and the
// fixture identity providers standing in for Curity (README's :8444) and seed 003's auth service (:4500).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT, startAdmin, startProxy, type AdminProc, type ProxyProc } from './support/processes.ts'
import { runDoc } from './support/doc-runner.ts'
import { startEchoUpstream, type EchoUpstream } from './fixtures/echo-upstream.ts'
import { startIdp, type Idp } from './fixtures/idp.ts'

let admin: AdminProc
let proxy: ProxyProc
let up: EchoUpstream
let up2: EchoUpstream
let curity: Idp
let authService: Idp

beforeAll(async () => {
  up = await startEchoUpstream()
  up2 = await startEchoUpstream()
  curity = await startIdp()
  authService = await startIdp()
  admin = await startAdmin()
  proxy = await startProxy({
    clusterPort: admin.clusterPort,
    env: { KONG_PROXY_LISTEN: '127.0.0.1:0, 127.0.0.1:0 http2 ssl', POSTERN_STORE_PATH: join(admin.prefix, 'postern.db') },
  })
})
afterAll(async () => {
  await Promise.all([proxy?.stop(), admin?.stop()])
  for (const p of [proxy, admin]) if (p) rmSync(p.prefix, { recursive: true, force: true })
  await Promise.all([up?.close(), up2?.close(), curity?.close(), authService?.close()])
})

describe('README examples', () => {
  it('run as written, in order', async () => {
    const count = await runDoc(readFileSync(join(ROOT, 'README.md'), 'utf8'), {
      adminUrl: admin.url,
      proxies: [proxy],
      cwd: ROOT,
      replacements: [
        ['localhost:8001', `127.0.0.1:${admin.port}`],
        ['localhost:8005', `127.0.0.1:${admin.clusterPort}`],
        ['localhost:8443', `127.0.0.1:${proxy.tlsPort}`],
        ['localhost:8000', `127.0.0.1:${proxy.port}`],
        ['localhost:8100', `127.0.0.1:${proxy.statusPort}`],
        ['127.0.0.1:9000', `127.0.0.1:${up.port}`],
        // the load-balancing section's second target
        ['127.0.0.1:9001', `127.0.0.1:${up2.port}`],
        // token introspection: the API (seeds 000/004 on :3000, seed 003's app on :3700), the IdPs
        ['localhost:3000', `127.0.0.1:${up.port}`],
        ['"host": "localhost", "port": 3700', `"host": "127.0.0.1", "port": ${up.port}`],
        ['localhost:8444', `127.0.0.1:${curity.port}`],
        ['localhost:4500', `127.0.0.1:${authService.port}`],
      ],
    })
    expect(count).toBeGreaterThan(40)
    // every command waits for the proxy to apply the admin's change; the README grows with each plugin
  }, 180_000)
})
