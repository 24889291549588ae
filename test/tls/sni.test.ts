// The proxy's TLS listener picks the certificate by SNI (exact, wildcard, default) from the live
// configuration, switches on a config change without a restart, and routes by a route's `snis`.
import { connect, type PeerCertificate } from 'node:tls'
import { X509Certificate } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startGateway, waitForVersion } from '../support/processes.ts'
import { AdminClient } from '../support/admin-client.ts'
import { startEchoUpstream, type EchoUpstream } from '../fixtures/echo-upstream.ts'
import { cleanupPki, makeCert } from '../fixtures/pki.ts'

let gw: Awaited<ReturnType<typeof startGateway>>
let api: AdminClient
let echo: EchoUpstream
const exact = makeCert(['exact.test'])
const wild = makeCert(['*.wild.test'], { type: 'rsa' })
const suffix = makeCert(['suffix.example'])
const replacement = makeCert(['exact.test'])

const fingerprint = (pem: string) => new X509Certificate(pem).fingerprint256

/** The certificate the proxy presents for `servername` (undefined: no SNI sent). */
function served(port: number, servername?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port, servername, rejectUnauthorized: false }, () => {
      const cert = s.getPeerCertificate() as PeerCertificate
      s.end()
      resolve(cert.fingerprint256)
    })
    s.on('error', reject)
  })
}

async function httpsGet(port: number, servername: string, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port, servername, rejectUnauthorized: false }, () => {
      s.write(`GET ${path} HTTP/1.1\r\nHost: ${servername}\r\nConnection: close\r\n\r\n`)
    })
    let data = ''
    s.on('data', (d) => (data += d))
    s.on('end', () => resolve({ status: Number(data.split(' ')[1]), body: data.split('\r\n\r\n')[1] ?? '' }))
    s.on('error', reject)
  })
}

beforeAll(async () => {
  echo = await startEchoUpstream()
  gw = await startGateway({ proxyEnv: { KONG_PROXY_LISTEN: '127.0.0.1:0, 127.0.0.1:0 ssl' } })
  api = new AdminClient(gw.admin.url)
  await api.post('/certificates', { cert: exact.cert, key: exact.key, snis: ['exact.test'] })
  await api.post('/certificates', { cert: wild.cert, key: wild.key, snis: ['*.wild.test'] })
  const r = await api.post('/certificates', { cert: suffix.cert, key: suffix.key, snis: ['suffix.*'] })
  await waitForVersion(gw.proxy, r.version)
})
afterAll(async () => {
  await gw?.stop()
  await echo?.close()
  cleanupPki()
})

describe('certificate selection by SNI', () => {
  it('serves the exact match, then a leftmost wildcard, then a rightmost one', async () => {
    expect(await served(gw.proxy.tlsPort, 'exact.test')).toBe(fingerprint(exact.cert))
    expect(await served(gw.proxy.tlsPort, 'EXACT.test')).toBe(fingerprint(exact.cert))
    expect(await served(gw.proxy.tlsPort, 'a.wild.test')).toBe(fingerprint(wild.cert))
    expect(await served(gw.proxy.tlsPort, 'suffix.anything')).toBe(fingerprint(suffix.cert))
  })

  it('falls back to the default certificate for an unknown name or no SNI', async () => {
    const dflt = await served(gw.proxy.tlsPort)
    for (const pem of [exact.cert, wild.cert, suffix.cert]) expect(dflt).not.toBe(fingerprint(pem))
    expect(await served(gw.proxy.tlsPort, 'unknown.test')).toBe(dflt)
    // a wildcard covers one label only, as Kong's lookup replaces just the first label
    expect(await served(gw.proxy.tlsPort, 'a.b.wild.test')).toBe(dflt)
  })

  it('switches to a replaced certificate without a restart', async () => {
    const r = await api.patch('/certificates/exact.test', { cert: replacement.cert, key: replacement.key })
    expect(r.status).toBe(200)
    await waitForVersion(gw.proxy, r.version)
    expect(await served(gw.proxy.tlsPort, 'exact.test')).toBe(fingerprint(replacement.cert))
    const gone = await api.request('DELETE', '/snis/exact.test')
    expect(gone.status).toBe(204)
    const head = Number((await api.get('/status')).body.configuration_version)
    await waitForVersion(gw.proxy, head)
    expect(await served(gw.proxy.tlsPort, 'exact.test')).toBe(await served(gw.proxy.tlsPort))
  })
})

describe("routes' snis", () => {
  it('matches a route by the TLS SNI only', async () => {
    const s = await api.post('/services', { name: 'sni-svc', url: echo.url })
    const r = await api.post(`/services/${s.body.id}/routes`, { protocols: ['https'], snis: ['a.wild.test'], paths: ['/sni'] })
    await waitForVersion(gw.proxy, r.version)
    const hit = await httpsGet(gw.proxy.tlsPort, 'a.wild.test', '/sni/x')
    expect(hit.status).toBe(200)
    const miss = await httpsGet(gw.proxy.tlsPort, 'b.wild.test', '/sni/x')
    expect(miss.status).toBe(404)
  })
})
