// rate-limiting's config.redis connection fields against a private redis-server with TLS and an ACL user:
// ssl, ssl_verify with server_name (CA trusted through NODE_EXTRA_CA_CERTS), username and password.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { awayFromBoundary, eventually, freePort, get, startRateLimitGateway, startRedis, type Gateway } from './harness.ts'

let dir: string
let gw: Gateway
let redis: Awaited<ReturnType<typeof startRedis>> | undefined
let port: number

/** A CA and a server certificate for redis.test, made with openssl. */
function certificates(d: string): void {
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: d, stdio: 'ignore' })
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=Postern test CA')
  ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'redis.key', '-out', 'redis.csr', '-subj', '/CN=redis.test')
  writeFileSync(join(d, 'ext'), 'subjectAltName=DNS:redis.test\n')
  ssl('x509', '-req', '-in', 'redis.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'redis.crt', '-days', '2', '-extfile', 'ext')
}

async function route(name: string, redisConf: Record<string, unknown>) {
  await gw.write('POST', '/services/svc/routes', { name, paths: [`/${name}`] })
  await gw.write('POST', `/routes/${name}/plugins`, {
    name: 'rate-limiting',
    config: { minute: 2, policy: 'redis', fault_tolerant: false, redis: { host: '127.0.0.1', port, timeout: 1000, ...redisConf } },
  })
}

const TLS_OK = { ssl: true, ssl_verify: true, server_name: 'redis.test', username: 'alice', password: 'alice-pw' }

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rl-redis-tls-'))
  certificates(dir)
  port = await freePort()
  redis = await startRedis(port, [
    '--port', '0', '--tls-port', String(port), '--tls-auth-clients', 'no',
    '--tls-cert-file', join(dir, 'redis.crt'), '--tls-key-file', join(dir, 'redis.key'), '--tls-ca-cert-file', join(dir, 'ca.crt'),
    '--user', 'alice', 'on', '>alice-pw', '~*', '&*', '+@all', '--user', 'default', 'off',
  ])
  gw = await startRateLimitGateway(1, { NODE_EXTRA_CA_CERTS: join(dir, 'ca.crt') })
  await gw.write('POST', '/services', { name: 'svc', url: gw.upstream.url })
  await route('tls', TLS_OK)
  await route('wrong-name', { ...TLS_OK, server_name: 'other.test' })
  await route('wrong-password', { ...TLS_OK, password: 'nope' })
  await route('no-user', { ...TLS_OK, username: null })
  await route('plaintext', { ...TLS_OK, ssl: false })
  await route('unverified', { ...TLS_OK, ssl_verify: false, server_name: null })
})
afterAll(async () => {
  await gw?.stop()
  await redis?.stop()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

describe('rate-limiting redis connection fields', () => {
  it('counts through TLS with a verified server_name and an ACL user', async () => {
    await awayFromBoundary(60, 10)
    const results = [await get(gw.proxies[0], '/tls'), await get(gw.proxies[0], '/tls'), await get(gw.proxies[0], '/tls')]
    expect(results.map((r) => r.status)).toEqual([200, 200, 429])
    expect(results[0].headers['ratelimit-remaining']).toBe('1')
  })

  it('skips certificate checks with ssl_verify off', async () => {
    expect((await get(gw.proxies[0], '/unverified')).headers['x-ratelimit-limit-minute']).toBe('2')
  })

  it('fails (500 without fault_tolerant) on a certificate name mismatch, a wrong password, a missing user or plaintext', async () => {
    for (const path of ['/wrong-name', '/wrong-password', '/no-user', '/plaintext']) {
      // the first request may wait for the connection attempt; poll for the settled answer
      await eventually(async () => (await get(gw.proxies[0], path)).status === 500, 10_000, `${path} to fail`)
      const r = await get(gw.proxies[0], path)
      expect(r.status).toBe(500)
      expect(r.body).toMatchObject({ message: 'An unexpected error occurred' })
    }
    expect(gw.proxies[0].output()).not.toContain('alice-pw')
  })
})
