// Certificates in a DB-less kong.yml: nested snis as Kong writes them, served by SNI, and exported back.
import { connect } from 'node:tls'
import { X509Certificate } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { removeConfigs, startDbless, type Dbless } from '../declarative/support.ts'
import { cleanupPki, makeCert } from '../fixtures/pki.ts'

let d: Dbless
const site = makeCert(['site.test'])
const indent = (pem: string, n: number) => pem.trim().split('\n').join(`\n${' '.repeat(n)}`)

const served = (port: number, servername: string) =>
  new Promise<string>((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port, servername, rejectUnauthorized: false }, () => {
      resolve(s.getPeerCertificate().fingerprint256)
      s.end()
    })
    s.on('error', reject)
  })

beforeAll(async () => {
  d = await startDbless({ env: { KONG_PROXY_LISTEN: '127.0.0.1:0, 127.0.0.1:0 ssl' } })
})
afterAll(async () => {
  await d?.stop()
  removeConfigs()
  cleanupPki()
})

describe('certificates in kong.yml', () => {
  it('loads a certificate with nested snis, serves it by SNI and exports it back', async () => {
    const res = await d.load(`_format_version: "3.0"
certificates:
- cert: |
    ${indent(site.cert, 4)}
  key: |
    ${indent(site.key, 4)}
  snis:
  - name: site.test
  - name: "*.site.test"
`)
    expect(res.status, res.text).toBe(201)
    const fp = new X509Certificate(site.cert).fingerprint256
    expect(await served(d.gw.proxy.tlsPort, 'site.test')).toBe(fp)
    expect(await served(d.gw.proxy.tlsPort, 'www.site.test')).toBe(fp)
    const list = await d.admin.get('/certificates')
    expect(list.body.data[0].snis).toEqual(['*.site.test', 'site.test'])
    const exported = await d.admin.get('/config')
    expect(exported.status).toBe(200)
    expect(exported.text).toContain('site.test')
  })
})
