// The cluster channel is authenticated by default: with KONG_CLUSTER_TOKEN, or else a token the admin
// generates into its prefix (0600) that proxies of the same prefix read; only POSTERN_CLUSTER_AUTH=off
// turns it off, and only on loopback. What a proxy reports is bounded, and so is the admin's list of them.
import { spawn } from 'node:child_process'
import { readFileSync, rmSync, statSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ROOT, startAdmin, startProxy, tempPrefix, waitForVersion, type AdminProc, type ProxyProc } from '../support/processes.ts'
import { AdminClient } from '../support/admin-client.ts'

let admin: AdminProc
const started: (ProxyProc | AdminProc)[] = []

beforeAll(async () => {
  admin = await startAdmin({ env: { KONG_CLUSTER_TOKEN: 'cluster-secret' } })
})
afterAll(async () => {
  await Promise.all([...started.map((p) => p.stop()), admin?.stop()])
  for (const p of [...started, admin]) if (p) rmSync(p.prefix, { recursive: true, force: true })
})

const cluster = (a: AdminProc, path: string, init?: RequestInit) => fetch(`http://127.0.0.1:${a.clusterPort}${path}`, init)

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
    const direct = await cluster(admin, '/v1/snapshot')
    expect(direct.status).toBe(401)
  })

  it('generates a random token into the prefix (0600) when none is set, and refuses requests without it', async () => {
    const a = await startAdmin({ umask: '000' })
    started.push(a)
    const file = join(a.prefix, 'cluster-token')
    expect(statSync(file).mode & 0o777).toBe(0o600)
    const token = readFileSync(file, 'utf8').trim()
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect((await cluster(a, '/v1/snapshot')).status).toBe(401)
    expect((await cluster(a, '/v1/snapshot', { headers: { authorization: `Bearer ${token}` } })).status).toBe(200)
    // a restart keeps the same token, so running proxies stay connected
    await a.stop()
    const again = await startAdmin({ prefix: a.prefix })
    started.push(again)
    expect(readFileSync(file, 'utf8').trim()).toBe(token)
  })

  it('lets a proxy started from the same prefix read the generated token and follow the admin', async () => {
    const a = await startAdmin()
    started.push(a)
    const p = await startProxy({ clusterPort: a.clusterPort, prefix: a.prefix })
    started.push(p)
    const r = await new AdminClient(a.url).post('/services', { name: 'same-prefix', url: 'http://127.0.0.1:9' })
    await waitForVersion(p, r.version)
  })

  it('lets `postern start` (both planes, one prefix, no token set) connect its proxy with the generated token', async () => {
    // the supervisor's two planes need one known cluster port: a free one, found by binding port 0
    const port = await new Promise<number>((r) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as any).port
        s.close(() => r(p))
      })
    })
    const prefix = tempPrefix('start')
    const env: NodeJS.ProcessEnv = { ...process.env, KONG_PREFIX: prefix, KONG_ADMIN_LISTEN: '127.0.0.1:0', KONG_CLUSTER_LISTEN: `127.0.0.1:${port}`, KONG_CLUSTER_CONTROL_PLANE: `127.0.0.1:${port}`, KONG_PROXY_LISTEN: '127.0.0.1:0', KONG_STATUS_LISTEN: '127.0.0.1:0', KONG_LOG_LEVEL: 'warn' }
    delete env.KONG_CLUSTER_TOKEN
    const proc = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bin/postern.ts'), 'start'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    proc.stdout.on('data', (d) => (out += d))
    proc.stderr.on('data', (d) => (out += d))
    try {
      const end = Date.now() + 30_000
      let m: [RegExpMatchArray | null, RegExpMatchArray | null] = [null, null]
      while (!(m[0] && m[1])) {
        if (Date.now() > end || proc.exitCode !== null) throw new Error(`postern start did not become ready:\n${out}`)
        await new Promise((r) => setTimeout(r, 50))
        m = [out.match(/admin (\d+) cluster/), out.match(/status (\d+) pid/)]
      }
      const w = await new AdminClient(`http://127.0.0.1:${m[0]![1]}`).post('/services', { name: 'supervised', url: 'http://127.0.0.1:9' })
      expect(w.status).toBe(201)
      await waitForVersion({ statusUrl: `http://127.0.0.1:${m[1]![1]}` }, w.version, 20_000)
      expect(statSync(join(prefix, 'cluster-token')).mode & 0o777).toBe(0o600)
    } finally {
      const exited = new Promise((r) => (proc.exitCode !== null ? r(null) : proc.once('exit', r)))
      proc.kill('SIGTERM')
      await exited
      rmSync(prefix, { recursive: true, force: true })
    }
  })

  it('turns authentication off only when told to, and only on loopback', async () => {
    const off = await startAdmin({ env: { POSTERN_CLUSTER_AUTH: 'off' } })
    started.push(off)
    expect((await cluster(off, '/v1/snapshot')).status).toBe(200)
    await expect(startAdmin({ env: { POSTERN_CLUSTER_AUTH: 'off', KONG_CLUSTER_LISTEN: '0.0.0.0:0' } })).rejects.toThrow(/POSTERN_CLUSTER_AUTH=off is allowed only/)
  })
})

describe('proxy reports', () => {
  const auth = { authorization: 'Bearer cluster-secret', 'content-type': 'application/json' }
  const report = (body: string) => cluster(admin, '/v1/report', { method: 'POST', headers: auth, body })

  it('refuses a report over 4 KiB with 413 and a malformed one with 400', async () => {
    const big = await report(JSON.stringify({ node_id: 'n', hostname: 'h'.repeat(5000), version: 1, hash: 'x' }))
    expect(big.status).toBe(413)
    expect((await report('{"node_id":"n","version":"x"}')).status).toBe(400)
    expect((await report(JSON.stringify({ node_id: 'n', hostname: 'h', version: 1, hash: 'x', extra: 'y' }))).status).toBe(204)
    const listed = (await new AdminClient(admin.url).get('/status')).body.data_planes.find((n: any) => n.node_id === 'n')
    expect(listed).toEqual({ node_id: 'n', hostname: 'h', version: 1, hash: 'x', ip: expect.any(String), connected: true, last_seen: expect.any(Number) })
  })

  it('keeps at most 1000 proxies in /status however many report', async () => {
    for (let i = 0; i < 1030; i += 30) {
      await Promise.all(Array.from({ length: 30 }, (_, j) => report(JSON.stringify({ node_id: `flood-${i + j}`, hostname: 'h', version: 1, hash: 'x' }))))
    }
    const planes = (await new AdminClient(admin.url).get('/status')).body.data_planes
    expect(planes.length).toBe(1000)
    expect(planes.some((n: any) => n.node_id === 'flood-1029')).toBe(true)
  })
})
