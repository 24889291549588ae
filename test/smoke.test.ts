// The shortest real flow: admin + proxy processes, a service and route, a request through the proxy.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startGateway, waitForVersion } from './support/processes.ts'
import { AdminClient } from './support/admin-client.ts'
import { startEchoUpstream, type EchoUpstream } from './fixtures/echo-upstream.ts'

let gw: Awaited<ReturnType<typeof startGateway>>
let upstream: EchoUpstream
let admin: AdminClient

beforeAll(async () => {
  upstream = await startEchoUpstream()
  gw = await startGateway()
  admin = new AdminClient(gw.admin.url)
})
afterAll(async () => {
  await gw?.stop()
  await upstream?.close()
})

describe('gateway smoke', () => {
  it('proxies a request to the service of the matched route', async () => {
    await admin.post('/services', { name: 'echo', url: upstream.url + '/base' })
    const r = await admin.post('/services/echo/routes', { paths: ['/echo'] })
    expect(r.status).toBe(201)
    await waitForVersion(gw.proxy, r.version)
    const res = await fetch(`${gw.proxy.url}/echo/x?y=1`)
    expect(res.status).toBe(200)
    const body = (await res.json()) as any
    expect(body.url).toBe('/base/x?y=1')
    expect(res.headers.get('x-kong-request-id')).toMatch(/^[0-9a-f]{32}$/)
  })
})
