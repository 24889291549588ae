// The cluster channel is authenticated with KONG_CLUSTER_TOKEN: a proxy with the wrong token gets no
// configuration, and the admin refuses to listen beyond loopback without one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startAdmin, startProxy, waitForVersion, type AdminProc, type ProxyProc } from '../support/processes.ts'
import { AdminClient } from '../support/admin-client.ts'

let admin: AdminProc
const started: ProxyProc[] = []

beforeAll(async () => {
  admin = await startAdmin({ env: { KONG_CLUSTER_TOKEN: 'cluster-secret' } })
})
afterAll(async () => {
  await Promise.all([...started.map((p) => p.stop()), admin?.stop()])
})

describe('cluster channel authentication', () => {
  it('serves configuration to a proxy with the right token', async () => {
    const p = await startProxy({ clusterPort: admin.clusterPort, env: { KONG_CLUSTER_TOKEN: 'cluster-secret' } })
    started.push(p)
    const r = await new AdminClient(admin.url).post('/services', { name: 's', url: 'http://127.0.0.1:9' })
    await waitForVersion(p, r.version)
  })

  it('refuses a proxy with a wrong token', async () => {
    const p = await startProxy({ clusterPort: admin.clusterPort, env: { KONG_CLUSTER_TOKEN: 'wrong' } })
    started.push(p)
    await expect(waitForVersion(p, 1, 1500)).rejects.toThrow(/did not reach/)
    const direct = await fetch(`http://127.0.0.1:${admin.clusterPort}/v1/snapshot`)
    expect(direct.status).toBe(401)
  })

  it('refuses to start listening beyond loopback without a token', async () => {
    await expect(startAdmin({ env: { KONG_CLUSTER_LISTEN: '0.0.0.0:0' } })).rejects.toThrow(/KONG_CLUSTER_TOKEN must be set/)
  })
})
