// The SQLite runtime store on real temporary files: auto fields, sharing, consume-once, CAS, TTL and purge.
import { afterEach, describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { loadCatalogue, type Catalogue } from '@postern/shared'
import { RuntimeStore } from './store.ts'

const CREDENTIAL = { id: '6f1c2c1e-4a53-4f4b-9b0e-8f5e2f8d0a11' }
const dirs: string[] = []
const stores: RuntimeStore[] = []
let catalogue: Catalogue

async function open(opts: ConstructorParameters<typeof RuntimeStore>[2] = {}, path?: string) {
  catalogue ??= await loadCatalogue(['bundled'])
  if (!path) {
    const dir = mkdtempSync(join(tmpdir(), 'store-'))
    dirs.push(dir)
    path = join(dir, 'postern.db')
  }
  const s = new RuntimeStore(path, catalogue, opts)
  stores.push(s)
  return s
}

afterEach(() => {
  for (const s of stores.splice(0)) s.close()
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

describe('RuntimeStore', () => {
  it('migrates a file of its own on first use and fills auto fields on insert', async () => {
    const s = await open()
    const row = await s.insert('oauth2_tokens', { credential: CREDENTIAL, expires_in: 7200 })
    expect(row.id).toMatch(/^[0-9a-f-]{36}$/)
    expect(row.access_token).toMatch(/^[A-Za-z0-9]{32}$/)
    expect(row.token_type).toBe('bearer')
    expect(await s.findOne('oauth2_tokens', { access_token: row.access_token })).toEqual(row)
  })

  it('matches foreign fields by id and null fields with IS NULL', async () => {
    const s = await open()
    const row = await s.insert('oauth2_tokens', { credential: CREDENTIAL, expires_in: 1, service: null })
    expect(await s.findOne('oauth2_tokens', { credential: CREDENTIAL, service: null })).toMatchObject({ id: row.id })
    expect(await s.findOne('oauth2_tokens', { credential: { id: '00000000-0000-4000-8000-000000000000' } })).toBeUndefined()
  })

  it('shares rows between two stores on the same file at once', async () => {
    const a = await open()
    const b = await open({}, a.path)
    const row = await a.insert('oauth2_authorization_codes', { credential: CREDENTIAL }, { ttl: 300 })
    expect(await b.findOne('oauth2_authorization_codes', { code: row.code })).toMatchObject({ id: row.id })
  })

  it('lets exactly one of two consumers delete the same row', async () => {
    const a = await open()
    const b = await open({}, a.path)
    const row = await a.insert('oauth2_authorization_codes', { credential: CREDENTIAL })
    const results = await Promise.all([a.deleteWhere('oauth2_authorization_codes', { id: row.id }), b.deleteWhere('oauth2_authorization_codes', { id: row.id })])
    expect(results.sort()).toEqual([0, 1])
  })

  it('updates with compare-and-set on the matched values', async () => {
    const s = await open()
    const row = await s.insert('oauth2_tokens', { credential: CREDENTIAL, expires_in: 10, refresh_token: 'r1' })
    expect(await s.update('oauth2_tokens', { id: row.id, access_token: row.access_token }, { access_token: 'fresh' })).toBe(1)
    expect(await s.update('oauth2_tokens', { id: row.id, access_token: row.access_token }, { access_token: 'again' })).toBe(0)
    expect(await s.findOne('oauth2_tokens', { refresh_token: 'r1' })).toMatchObject({ access_token: 'fresh' })
  })

  it('hides rows past their TTL and purges them, a batch at a time', async () => {
    let now = 1_000
    const s = await open({ now: () => now, purgeBatch: 2 })
    for (let i = 0; i < 5; i++) await s.insert('oauth2_authorization_codes', { credential: CREDENTIAL }, { ttl: 300 })
    const forever = await s.insert('oauth2_tokens', { credential: CREDENTIAL, expires_in: 0 })
    const kept = await s.insert('oauth2_authorization_codes', { credential: CREDENTIAL }, { ttl: 900 })
    now = 1_300
    expect(await s.findOne('oauth2_authorization_codes', { credential: CREDENTIAL, purge_at: 1_300 })).toBeUndefined()
    expect(s.purge()).toBe(5)
    expect(await s.findOne('oauth2_authorization_codes', { id: kept.id })).toBeDefined()
    expect(await s.findOne('oauth2_tokens', { id: forever.id })).toBeDefined()
  })

  it('purges in the background on its timer', async () => {
    let now = 1_000
    const s = await open({ now: () => now, purgeIntervalMs: 20 })
    const row = await s.insert('oauth2_tokens', { credential: CREDENTIAL, expires_in: 1 }, { ttl: 5 })
    now = 2_000
    await new Promise((r) => setTimeout(r, 80))
    const raw = new Database(s.path, { readonly: true })
    try {
      expect(raw.prepare('SELECT count(*) AS n FROM oauth2_tokens WHERE id = ?').get(row.id)).toEqual({ n: 0 })
    } finally {
      raw.close()
    }
  })

  it('increments a counter atomically across two stores on one file, creating it with its TTL', async () => {
    let now = 1_000
    const a = await open({ now: () => now })
    const b = await open({ now: () => now }, a.path)
    const key = { identifier: '10.0.0.1', period: 'minute', period_date: 960, service_id: 's', route_id: 'r' }
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).incr('ratelimiting_metrics', key, 'value', 1, { ttl: 60 })))
    expect(results.sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    expect(await a.incr('ratelimiting_metrics', key, 'value', -1, { ttl: 60 })).toBe(9)
    expect(await b.findOne('ratelimiting_metrics', key)).toMatchObject({ value: 9, purge_at: 1_060 })
    expect(await a.incr('ratelimiting_metrics', { ...key, period: 'hour' }, 'value', 1, { ttl: 3600 })).toBe(1)
  })

  it('restarts a counter whose TTL passed before it was purged', async () => {
    let now = 1_000
    const s = await open({ now: () => now })
    const key = { identifier: 'x', period: 'second', period_date: 1_000, service_id: 's', route_id: 'r' }
    expect(await s.incr('ratelimiting_metrics', key, 'value', 3, { ttl: 1 })).toBe(3)
    now = 1_001
    expect(await s.incr('ratelimiting_metrics', key, 'value', 1, { ttl: 1 })).toBe(1)
    expect(await s.findOne('ratelimiting_metrics', key)).toMatchObject({ value: 1, purge_at: 1_002 })
  })

  it('refuses entities that are configuration, not runtime data', async () => {
    const s = await open()
    await expect(s.insert('consumers', { username: 'x' })).rejects.toThrow(/not runtime data/)
  })
})
