// Files at rest: with a permissive umask (000) the prefix is still created 0700 and the database, its
// -wal/-shm files, the config cache, the cluster token and the TLS key 0600; a prefix left with looser
// modes is reported at start.
import { chmodSync, existsSync, mkdirSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { startAdmin, startProxy, tempPrefix, waitForVersion, type Proc } from './support/processes.ts'
import { AdminClient } from './support/admin-client.ts'

const started: Proc[] = []
const prefixes: string[] = []
afterAll(async () => {
  await Promise.all(started.map((p) => p.stop()))
  for (const p of prefixes) rmSync(p, { recursive: true, force: true })
})

const mode = (path: string) => (statSync(path).mode & 0o777).toString(8)

async function until(cond: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

describe('file modes under umask 000', () => {
  it('creates the prefix 0700 and every database, cache, token and key file 0600', async () => {
    const root = tempPrefix('modes')
    prefixes.push(root)
    const prefix = join(root, 'nested', 'prefix') // created by Postern, parents too
    const admin = await startAdmin({ prefix, umask: '000' })
    started.push(admin)
    const proxy = await startProxy({ clusterPort: admin.clusterPort, prefix, umask: '000', env: { KONG_PROXY_LISTEN: '127.0.0.1:0, 127.0.0.1:0 ssl' } })
    started.push(proxy)
    const r = await new AdminClient(admin.url).post('/services', { name: 'modes', url: 'http://127.0.0.1:9' })
    await waitForVersion(proxy, r.version)
    // the proxy persists what it applied: the journal after events, the snapshot file after a snapshot
    const cacheFiles = ['config-cache.json', 'config-cache.journal'].map((f) => join(prefix, f))
    await until(() => cacheFiles.some(existsSync), 'the config cache')
    expect(mode(prefix)).toBe('700')
    expect(mode(join(prefix, 'ssl'))).toBe('700')
    for (const f of ['postern.db', 'postern.db-wal', 'postern.db-shm', 'cluster-token', 'ssl/postern-default-rsa.key', 'ssl/postern-default-rsa.crt']) {
      expect(mode(join(prefix, f)), f).toBe('600')
    }
    for (const f of cacheFiles.filter(existsSync)) expect(mode(f), f).toBe('600')
    // a restarted proxy (here after a snapshot: the cache file is rewritten) keeps the mode
    await proxy.stop()
    const again = await startProxy({ clusterPort: admin.clusterPort, prefix, umask: '000' })
    started.push(again)
    await waitForVersion(again, r.version)
    for (const f of cacheFiles.filter(existsSync)) expect(mode(f), f).toBe('600')
  })

  it('warns at start about a prefix and files readable by others, without changing them', async () => {
    const prefix = tempPrefix('loose')
    prefixes.push(prefix)
    const first = await startAdmin({ prefix })
    await first.stop()
    chmodSync(prefix, 0o755)
    chmodSync(join(prefix, 'postern.db'), 0o644)
    mkdirSync(join(prefix, 'ssl'), { recursive: true })
    const admin = await startAdmin({ prefix })
    started.push(admin)
    // one JSON line per file, whatever the order of its fields
    const lines = admin.output().split('\n')
    expect(lines.some((l) => l.includes('expected mode 0700') && l.includes(`"path":"${prefix}"`) && l.includes('"mode":"0755"'))).toBe(true)
    expect(lines.some((l) => l.includes('expected mode 0600') && l.includes('postern.db"') && l.includes('"mode":"0644"'))).toBe(true)
    expect(mode(prefix)).toBe('755')
  })
})
