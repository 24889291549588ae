// kong-auth-integration over HTTPS: the auth server's certificate is verified by default (unlike vechr's
// plugin, which never verifies); `ssl_verify: false` or a trusted `ssl_ca_certificates` bundle say otherwise.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startWorld, type World } from '../phantom-token/harness.ts'

let w: World
let auth: Server
let authUrl: string
let cert: string
const dir = mkdtempSync(join(tmpdir(), 'auth-tls-'))

beforeAll(async () => {
  // a self-signed auth server on 127.0.0.1, as a private deployment would have
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', join(dir, 'key.pem'),
    '-out', join(dir, 'cert.pem'), '-days', '2', '-subj', '/CN=auth.test', '-addext', 'subjectAltName=IP:127.0.0.1',
  ], { stdio: 'ignore' })
  cert = readFileSync(join(dir, 'cert.pem'), 'utf8')
  auth = createServer({ cert, key: readFileSync(join(dir, 'key.pem')) }, (req, res) => {
    const ok = req.headers.authorization === 'Bearer good-token'
    res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' }).end(ok ? '{"user":"alice"}' : '')
  })
  await new Promise<void>((r) => auth.listen(0, '127.0.0.1', r))
  authUrl = `https://127.0.0.1:${(auth.address() as any).port}/session`
  w = await startWorld()
  await w.expose('/verify', 'kong-auth-integration', { authentication_endpoint: authUrl })
  await w.expose('/noverify', 'kong-auth-integration', { authentication_endpoint: authUrl, ssl_verify: false })
  await w.expose('/trusted', 'kong-auth-integration', { authentication_endpoint: authUrl, ssl_ca_certificates: cert })
})
afterAll(async () => {
  await w?.stop()
  await new Promise((r) => auth?.close(r))
  rmSync(dir, { recursive: true, force: true })
})

const get = async (path: string) => {
  const res = await fetch(`${w.proxy}${path}`, { headers: { authorization: 'Bearer good-token' } })
  const text = await res.text()
  return { status: res.status, text }
}

describe('kong-auth-integration TLS verification', () => {
  it('refuses (500) an auth server whose certificate it cannot verify, by default', async () => {
    const r = await get('/verify/x')
    expect(r.status).toBe(500)
    expect(r.text).toBe('Internal Server Error')
  })

  it('accepts it with ssl_verify: false', async () => {
    const r = await get('/noverify/x')
    expect(r.status).toBe(200)
    expect(JSON.parse(r.text).headers['x-user-payload']).toBe('{"user":"alice"}')
  })

  it('accepts it when its CA is in ssl_ca_certificates', async () => {
    const r = await get('/trusted/x')
    expect(r.status).toBe(200)
    expect(JSON.parse(r.text).headers['x-user-payload']).toBe('{"user":"alice"}')
  })

  it('defaults ssl_verify to true and refuses a bundle that is not PEM certificates', async () => {
    const created = await w.admin.post('/plugins', { name: 'kong-auth-integration', config: { authentication_endpoint: authUrl } })
    expect(created.status).toBe(201)
    expect(created.body.config.ssl_verify).toBe(true)
    expect(created.body.config.ssl_ca_certificates).toBeNull()
    await w.admin.delete(`/plugins/${created.body.id}`)
    const bad = await w.admin.post('/plugins', { name: 'kong-auth-integration', config: { authentication_endpoint: authUrl, ssl_ca_certificates: 'not a certificate' } })
    expect(bad.status).toBe(400)
    expect(bad.body.fields).toEqual({ config: { ssl_ca_certificates: 'expected one or more PEM certificates' } })
  })
})
