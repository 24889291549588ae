// Prefix modes and the generated cluster token, whatever the umask of the test process.
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createPrivateFile, ensureClusterToken, looseModes, preparePrefix, readClusterToken } from './prefix.ts'
import { loadSettings } from './settings.ts'

const roots: string[] = []
const root = () => {
  const d = mkdtempSync(join(tmpdir(), 'prefix-'))
  roots.push(d)
  return d
}
afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true })
})
const mode = (p: string) => statSync(p).mode & 0o777

describe('prefix', () => {
  it('creates a missing prefix 0700, parents included, and files 0600', () => {
    const p = join(root(), 'a', 'b')
    preparePrefix(p)
    expect(mode(p)).toBe(0o700)
    createPrivateFile(join(p, 'postern.db'))
    expect(mode(join(p, 'postern.db'))).toBe(0o600)
    expect(looseModes(p)).toEqual([])
  })

  it('reports looser modes of an existing prefix and its sensitive files, and warns once per path', () => {
    const p = root()
    chmodSync(p, 0o755)
    writeFileSync(join(p, 'config-cache.json'), '{}', { mode: 0o644 })
    writeFileSync(join(p, 'README.txt'), 'not sensitive', { mode: 0o644 })
    chmodSync(join(p, 'config-cache.json'), 0o644)
    const warned: unknown[] = []
    preparePrefix(p, { warn: (msg, fields) => warned.push(fields) })
    expect(warned).toEqual([{ path: p, mode: '0755' }, { path: join(p, 'config-cache.json'), mode: '0644' }])
    expect(mode(p)).toBe(0o755) // reported, not changed
  })

  it('generates a cluster token once (0600) and reads the same one back', () => {
    const f = join(root(), 'cluster-token')
    expect(readClusterToken(f)).toBeUndefined()
    const t = ensureClusterToken(f)
    expect(t).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(mode(f)).toBe(0o600)
    expect(ensureClusterToken(f)).toBe(t)
    expect(readFileSync(f, 'utf8').trim()).toBe(t)
  })
})

describe('cluster settings', () => {
  it('splits KONG_CLUSTER_CONTROL_PLANE into an ordered list and refuses a malformed one', () => {
    const s = loadSettings({ KONG_CLUSTER_CONTROL_PLANE: 'cp1:8005, 10.0.0.2:9005,[::1]:8005' })
    expect(s.clusterControlPlanes).toEqual(['cp1:8005', '10.0.0.2:9005', '[::1]:8005'])
    expect(s.clusterControlPlane).toBe('cp1:8005')
    expect(s.clusterAuth).toBe(true)
    expect(() => loadSettings({ KONG_CLUSTER_CONTROL_PLANE: 'cp1:8005, not a host' })).toThrow(/KONG_CLUSTER_CONTROL_PLANE/)
    expect(loadSettings({ POSTERN_CLUSTER_AUTH: 'off' }).clusterAuth).toBe(false)
    expect(() => loadSettings({ POSTERN_CLUSTER_AUTH: 'no' })).toThrow(/POSTERN_CLUSTER_AUTH/)
  })
})
