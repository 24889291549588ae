// correlation-id end to end: each generator's format, the client's id kept, echo_downstream, header_name.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startGateway, waitForVersion } from '../../support/processes.ts'
import { AdminClient } from '../../support/admin-client.ts'
import { send } from '../../support/http.ts'
import { startEchoUpstream, type EchoUpstream } from '../../fixtures/echo-upstream.ts'

let gw: Awaited<ReturnType<typeof startGateway>>
let up: EchoUpstream
let admin: AdminClient
let v = 0

async function w<T extends { version: number; status: number; text: string }>(p: Promise<T>): Promise<T> {
  const r = await p
  if (r.status >= 300) throw new Error(`${r.status} ${r.text}`)
  v = Math.max(v, r.version)
  return r
}
const get = (path: string, headers: Record<string, string> = {}) => send(gw.proxy.url + path, { headers })
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}'

beforeAll(async () => {
  up = await startEchoUpstream()
  gw = await startGateway()
  admin = new AdminClient(gw.admin.url)
  await w(admin.post('/services', { name: 'svc', url: up.url }))
  for (const [name, config] of [
    ['default', {}],
    ['uuid', { generator: 'uuid', echo_downstream: true }],
    ['tracker', { generator: 'tracker', header_name: 'X-Trace' }],
    ['echo', { echo_downstream: true, header_name: 'My-Id' }],
  ] as const) {
    await w(admin.post('/services/svc/routes', { name, paths: [`/${name}`] }))
    await w(admin.post(`/routes/${name}/plugins`, { name: 'correlation-id', config }))
  }
  await waitForVersion(gw.proxy, v)
})
afterAll(async () => {
  await gw?.stop()
  await up?.close()
})

describe('correlation-id', () => {
  it('has Kong defaults: Kong-Request-ID, uuid#counter, no echo', async () => {
    const r = await admin.post('/plugins', { name: 'correlation-id' })
    expect(r.status).toBe(201)
    expect(r.body.config).toEqual({ header_name: 'Kong-Request-ID', generator: 'uuid#counter', echo_downstream: false })
    await admin.delete(`/plugins/${r.body.id}`)
    const root = await admin.get('/')
    expect(root.body.plugins.available_on_server['correlation-id'].priority).toBe(100001)
  })

  it('rejects an unknown generator', async () => {
    const r = await admin.post('/plugins', { name: 'correlation-id', config: { generator: 'nope' } })
    expect(r.status).toBe(400)
    expect(r.body.fields.config.generator).toBe('expected one of: uuid, uuid#counter, tracker')
  })

  it('uuid#counter sends one worker uuid with an increasing counter upstream, and nothing downstream', async () => {
    const a = await get('/default')
    const b = await get('/default')
    const re = new RegExp(`^(${UUID})#(\\d+)$`)
    const ma = re.exec(a.body.headers['kong-request-id'])!
    const mb = re.exec(b.body.headers['kong-request-id'])!
    expect(ma[1]).toBe(mb[1])
    expect(Number(mb[2])).toBeGreaterThan(Number(ma[2]))
    expect(a.headers['kong-request-id']).toBeUndefined()
  })

  it('uuid sends a fresh uuid upstream and echoes the same one', async () => {
    const r = await get('/uuid')
    expect(r.body.headers['kong-request-id']).toMatch(new RegExp(`^${UUID}$`))
    expect(r.headers['kong-request-id']).toBe(r.body.headers['kong-request-id'])
  })

  it('tracker builds address-port-pid-connection-request-time in header_name', async () => {
    const r = await get('/tracker')
    expect(r.body.headers['x-trace']).toMatch(/^[0-9a-f.:]+-\d+-\d+-\d+-\d+-\d+\.\d{3}$/)
    expect(r.body.headers['x-trace']).toContain(`-${new URL(gw.proxy.url).port}-`)
  })

  it('keeps an id the client sent and echoes it back', async () => {
    const r = await get('/echo', { 'my-id': 'client-given' })
    expect(r.body.headers['my-id']).toBe('client-given')
    expect(r.headers['my-id']).toBe('client-given')
  })

  it('generates an id when the client sent an empty one', async () => {
    const r = await get('/echo', { 'my-id': '' })
    expect(r.body.headers['my-id']).toMatch(/#\d+$/)
    expect(r.headers['my-id']).toBe(r.body.headers['my-id'])
  })
})
