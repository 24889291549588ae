// TLS to upstreams: a service's client_certificate (mTLS), an upstream's (when the service has none, as Kong),
// tls_verify against its ca_certificates, tls_verify_depth, and Kong's 502 when verification fails.
import { createServer, type Server } from 'node:https'
import type { TLSSocket } from 'node:tls'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startGateway, waitForVersion } from '../support/processes.ts'
import { AdminClient } from '../support/admin-client.ts'
import { send } from '../support/http.ts'
import { cleanupPki, makeCa, makeCert } from '../fixtures/pki.ts'

let gw: Awaited<ReturnType<typeof startGateway>>
let api: AdminClient
const ca = makeCa('Upstream CA')
const otherCa = makeCa('Other CA')
const serverCert = makeCert(['127.0.0.1', 'localhost'], { ca })
const clientCert = makeCert(['gateway-client'], { ca, client: true })
const strangerCert = makeCert(['stranger'], { ca: otherCa, client: true })
let mtlsServer: Server
let plainTlsServer: Server

/** An HTTPS upstream answering with the client certificate's CN and the TLS server name it saw (or 'none'). */
function upstream(requireClientCert: boolean): Promise<Server> {
  const s = createServer({ cert: serverCert.cert, key: serverCert.key, ca: [ca.cert], requestCert: requireClientCert, rejectUnauthorized: requireClientCert }, (req, res) => {
    const peer = (req.socket as TLSSocket).getPeerCertificate()
    res.setHeader('content-type', 'application/json')
    res.end(JSON.stringify({ client: peer?.subject?.CN ?? 'none', sni: (req.socket as TLSSocket).servername || 'none' }))
  })
  return new Promise((r) => s.listen(0, '127.0.0.1', () => r(s)))
}

const portOf = (s: Server) => (s.address() as AddressInfo).port

async function route(name: string, service: Record<string, unknown>): Promise<number> {
  const s = await api.post('/services', { name, ...service })
  expect(s.status, s.text).toBe(201)
  const r = await api.post(`/services/${name}/routes`, { paths: [`/${name}`] })
  return r.version
}

beforeAll(async () => {
  mtlsServer = await upstream(true)
  plainTlsServer = await upstream(false)
  gw = await startGateway()
  api = new AdminClient(gw.admin.url)
})
afterAll(async () => {
  await gw?.stop()
  mtlsServer?.close()
  plainTlsServer?.close()
  cleanupPki()
})

describe('client certificates to upstreams', () => {
  it('presents the service client_certificate to an upstream that requires one', async () => {
    const cert = (await api.post('/certificates', { cert: clientCert.cert, key: clientCert.key })).body
    const v = await route('mtls', { url: `https://127.0.0.1:${portOf(mtlsServer)}`, client_certificate: { id: cert.id } })
    await waitForVersion(gw.proxy, v)
    const r = await fetch(`${gw.proxy.url}/mtls`)
    expect(r.status).toBe(200)
    expect(await r.json()).toMatchObject({ client: 'gateway-client' })
  })

  it('gets a 502 without a client certificate, or with one the upstream does not trust', async () => {
    const stranger = (await api.post('/certificates', { cert: strangerCert.cert, key: strangerCert.key })).body
    await route('no-cert', { url: `https://127.0.0.1:${portOf(mtlsServer)}`, retries: 0 })
    const v = await route('wrong-cert', { url: `https://127.0.0.1:${portOf(mtlsServer)}`, client_certificate: { id: stranger.id }, retries: 0 })
    await waitForVersion(gw.proxy, v)
    for (const path of ['/no-cert', '/wrong-cert']) {
      const r = await fetch(`${gw.proxy.url}${path}`)
      expect(r.status, path).toBe(502)
      expect(await r.json()).toMatchObject({ message: 'An invalid response was received from the upstream server' })
    }
  })
})

describe("an upstream's client certificate", () => {
  /** An upstream (one target: the mTLS server) with the given client_certificate, and an https service on it. */
  async function balancedRoute(name: string, upstream: Record<string, unknown>, service: Record<string, unknown> = {}): Promise<number> {
    expect((await api.post('/upstreams', { name, ...upstream })).status).toBe(201)
    expect((await api.post(`/upstreams/${name}/targets`, { target: `127.0.0.1:${portOf(mtlsServer)}` })).status).toBe(201)
    return route(name, { protocol: 'https', host: name, port: 443, retries: 0, ...service })
  }

  it('presents the upstream client_certificate when the service has none', async () => {
    const cert = (await api.post('/certificates', { cert: clientCert.cert, key: clientCert.key })).body
    const v = await balancedRoute('up-mtls', { client_certificate: { id: cert.id } })
    await waitForVersion(gw.proxy, v)
    const r = await fetch(`${gw.proxy.url}/up-mtls`)
    expect(r.status).toBe(200)
    expect(await r.json()).toMatchObject({ client: 'gateway-client' })
  })

  it("gets Kong's 502 from an upstream without one", async () => {
    const v = await balancedRoute('up-no-cert', {})
    await waitForVersion(gw.proxy, v)
    const r = await fetch(`${gw.proxy.url}/up-no-cert`)
    expect(r.status).toBe(502)
    expect(await r.json()).toMatchObject({ message: 'An invalid response was received from the upstream server' })
  })

  it("prefers the service's client_certificate to the upstream's (Kong's fallback_upstream_client_cert)", async () => {
    const good = (await api.get('/certificates')).body.data.find((c: any) => c.cert === clientCert.cert)
    const stranger = (await api.post('/certificates', { cert: strangerCert.cert, key: strangerCert.key })).body
    await balancedRoute('up-svc-wins', { client_certificate: { id: stranger.id } }, { client_certificate: { id: good.id } })
    const v = await balancedRoute('up-svc-loses', { client_certificate: { id: good.id } }, { client_certificate: { id: stranger.id } })
    await waitForVersion(gw.proxy, v)
    const r = await fetch(`${gw.proxy.url}/up-svc-wins`)
    expect(r.status).toBe(200)
    expect(await r.json()).toMatchObject({ client: 'gateway-client' })
    expect((await fetch(`${gw.proxy.url}/up-svc-loses`)).status).toBe(502)
  })

  it("presents it in the upstream's https health probes", async () => {
    const good = (await api.get('/certificates')).body.data.find((c: any) => c.cert === clientCert.cert)
    const active = { type: 'https', https_verify_certificate: false, http_path: '/', healthy: { interval: 0.2, successes: 1 }, unhealthy: { interval: 0.2, tcp_failures: 1, http_failures: 1, timeouts: 1 } }
    await balancedRoute('up-probe-cert', { client_certificate: { id: good.id }, healthchecks: { active } })
    const v = await balancedRoute('up-probe-none', { healthchecks: { active } })
    await waitForVersion(gw.proxy, v)
    const health = async (name: string) => (await api.get(`/upstreams/${name}/health`)).body.data[0]?.health
    // without a certificate the handshake fails (a tcp failure): the target goes down; with one it stays up
    const end = Date.now() + 10_000
    while (Date.now() < end && (await health('up-probe-none')) !== 'UNHEALTHY') await new Promise((r) => setTimeout(r, 100))
    expect(await health('up-probe-none')).toBe('UNHEALTHY')
    expect(await health('up-probe-cert')).toBe('HEALTHY')
    expect((await fetch(`${gw.proxy.url}/up-probe-cert`)).status).toBe(200)
  })
})

describe('the TLS server name sent to upstreams', () => {
  it('is the service host, and none for an address', async () => {
    const port = portOf(plainTlsServer)
    await route('sni-name', { url: `https://localhost:${port}` })
    const v = await route('sni-address', { url: `https://127.0.0.1:${port}` })
    await waitForVersion(gw.proxy, v)
    expect(await (await fetch(`${gw.proxy.url}/sni-name`)).json()).toMatchObject({ sni: 'localhost' })
    expect(await (await fetch(`${gw.proxy.url}/sni-address`)).json()).toMatchObject({ sni: 'none' })
  })

  it('follows the Host sent upstream under preserve_host (host part only), as Kong\'s proxy_ssl_name $upstream_host', async () => {
    const port = portOf(plainTlsServer)
    await api.post('/services', { name: 'sni-preserve', url: `https://localhost:${port}` })
    const r = await api.post('/services/sni-preserve/routes', { paths: ['/sni-preserve'], preserve_host: true })
    await waitForVersion(gw.proxy, r.version)
    const sniFor = async (host: string) => {
      const r = await send(`${gw.proxy.url}/sni-preserve`, { headers: { host } })
      return { status: r.status, ...r.body }
    }
    expect(await sniFor('api.example.test')).toMatchObject({ status: 200, sni: 'api.example.test' })
    expect(await sniFor('other.example.test:8443')).toMatchObject({ status: 200, sni: 'other.example.test' })
    expect(await sniFor('api.example.test')).toMatchObject({ status: 200, sni: 'api.example.test' })
  })
})

describe('verifying upstream certificates', () => {
  it("does not verify by default (Kong's proxy_ssl_verify is off)", async () => {
    const v = await route('noverify', { url: `https://127.0.0.1:${portOf(plainTlsServer)}` })
    await waitForVersion(gw.proxy, v)
    expect((await fetch(`${gw.proxy.url}/noverify`)).status).toBe(200)
  })

  it("rejects an upstream signed by an untrusted CA with Kong's 502 when tls_verify is on", async () => {
    const v = await route('verify-untrusted', { url: `https://127.0.0.1:${portOf(plainTlsServer)}`, tls_verify: true, retries: 0 })
    await waitForVersion(gw.proxy, v)
    const r = await fetch(`${gw.proxy.url}/verify-untrusted`, { headers: { accept: 'application/json' } })
    expect(r.status).toBe(502)
    expect(await r.json()).toMatchObject({ message: 'An invalid response was received from the upstream server' })
  })

  it('accepts it once the CA is in the service ca_certificates, and refuses the wrong CA', async () => {
    const good = (await api.post('/ca_certificates', { cert: ca.cert })).body
    const bad = (await api.post('/ca_certificates', { cert: otherCa.cert })).body
    await route('verify-trusted', { url: `https://127.0.0.1:${portOf(plainTlsServer)}`, tls_verify: true, ca_certificates: [good.id] })
    const v = await route('verify-wrong-ca', { url: `https://127.0.0.1:${portOf(plainTlsServer)}`, tls_verify: true, ca_certificates: [bad.id], retries: 0 })
    await waitForVersion(gw.proxy, v)
    expect((await fetch(`${gw.proxy.url}/verify-trusted`)).status).toBe(200)
    expect((await fetch(`${gw.proxy.url}/verify-wrong-ca`)).status).toBe(502)
  })

  it('applies tls_verify_depth: a chain one CA deep needs a depth of at least 1', async () => {
    const good = (await api.get('/ca_certificates')).body.data.find((c: any) => c.cert === ca.cert)
    await route('depth-0', { url: `https://127.0.0.1:${portOf(plainTlsServer)}`, tls_verify: true, tls_verify_depth: 0, ca_certificates: [good.id], retries: 0 })
    const v = await route('depth-1', { url: `https://127.0.0.1:${portOf(plainTlsServer)}`, tls_verify: true, tls_verify_depth: 1, ca_certificates: [good.id] })
    await waitForVersion(gw.proxy, v)
    expect((await fetch(`${gw.proxy.url}/depth-0`)).status).toBe(502)
    expect((await fetch(`${gw.proxy.url}/depth-1`)).status).toBe(200)
  })
})
