// The Postgres runtime store on a fresh database migrated from drizzle-pg/: auto fields and types round-trip,
// two proxies' stores share rows at once, consume-once, compare-and-set, TTL and purge.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { randomBytes } from 'node:crypto'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { drizzle } from 'drizzle-orm/node-postgres'
import { migrate } from 'drizzle-orm/node-postgres/migrator'
import { loadCatalogue, loadSettings, type Catalogue, type PgSettings } from '@postern/shared'
import { PgRuntimeStore } from './pg-store.ts'

const SERVER = { host: '127.0.0.1', port: 5432, user: 'postgres' }
const NAME = `postern_${randomBytes(6).toString('hex')}`
const MIGRATIONS = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../drizzle-pg')
const CONSUMER = '1b3f0c9e-2d4a-4e8b-9c1d-0a2b3c4d5e6f'
const CREDENTIAL = { id: '6f1c2c1e-4a53-4f4b-9b0e-8f5e2f8d0a11' }
let settings: PgSettings
let catalogue: Catalogue
const stores: PgRuntimeStore[] = []

async function onServer(q: string) {
  const c = new pg.Client({ ...SERVER, database: 'postgres' })
  await c.connect()
  await c.query(q).finally(() => c.end())
}

beforeAll(async () => {
  await onServer(`CREATE DATABASE "${NAME}"`)
  const pool = new pg.Pool({ ...SERVER, database: NAME })
  await migrate(drizzle({ client: pool }), { migrationsFolder: MIGRATIONS })
  // the tokens' credential, as the admin would have written it (foreign keys hold on Postgres)
  await pool.query(`INSERT INTO consumers (id, username) VALUES ($1, 'owner')`, [CONSUMER])
  await pool.query(`INSERT INTO oauth2_credentials (id, name, client_id, consumer_id) VALUES ($1, 'app', 'app', $2)`, [CREDENTIAL.id, CONSUMER])
  await pool.end()
  settings = loadSettings({ KONG_DATABASE: 'postgres', KONG_PG_USER: SERVER.user, KONG_PG_DATABASE: NAME }).pg
  catalogue = await loadCatalogue(['bundled'])
})

afterAll(async () => {
  for (const s of stores.splice(0)) await s.close()
  await onServer(`DROP DATABASE IF EXISTS "${NAME}" WITH (FORCE)`)
})

function open(opts: ConstructorParameters<typeof PgRuntimeStore>[2] = {}): PgRuntimeStore {
  const s = new PgRuntimeStore(settings, catalogue, opts)
  stores.push(s)
  return s
}

describe('PgRuntimeStore', () => {
  it('fills auto fields on insert and reads the row back with its types (arrays, numbers, foreign ids)', async () => {
    const s = open()
    const row = await s.insert('oauth2_tokens', { credential: CREDENTIAL, expires_in: 7200, scope: 'email profile' })
    expect(row.access_token).toMatch(/^[A-Za-z0-9]{32}$/)
    expect(await s.findOne('oauth2_tokens', { access_token: row.access_token })).toEqual(row)
    expect(await s.findOne('oauth2_tokens', { credential: CREDENTIAL, service: null, access_token: row.access_token })).toMatchObject({ id: row.id })
  })

  it('shares rows between two stores at once, and lets exactly one of them consume a row', async () => {
    const a = open()
    const b = open()
    const code = await a.insert('oauth2_authorization_codes', { credential: CREDENTIAL }, { ttl: 300 })
    expect(await b.findOne('oauth2_authorization_codes', { code: code.code })).toMatchObject({ id: code.id })
    const results = await Promise.all([a.deleteWhere('oauth2_authorization_codes', { id: code.id }), b.deleteWhere('oauth2_authorization_codes', { id: code.id })])
    expect(results.sort()).toEqual([0, 1])
  })

  it('updates with compare-and-set on the matched values', async () => {
    const s = open()
    const row = await s.insert('oauth2_tokens', { credential: CREDENTIAL, expires_in: 10, refresh_token: `r-${NAME}` })
    expect(await s.update('oauth2_tokens', { id: row.id, access_token: row.access_token }, { access_token: `fresh-${NAME}` })).toBe(1)
    expect(await s.update('oauth2_tokens', { id: row.id, access_token: row.access_token }, { access_token: 'again' })).toBe(0)
    expect(await s.findOne('oauth2_tokens', { refresh_token: `r-${NAME}` })).toMatchObject({ access_token: `fresh-${NAME}` })
  })

  it('hides rows past their TTL and purges them, a batch at a time', async () => {
    let now = 1_000
    const s = open({ now: () => now, purgeBatch: 2 })
    const expiring = []
    for (let i = 0; i < 3; i++) expiring.push(await s.insert('oauth2_authorization_codes', { credential: CREDENTIAL }, { ttl: 300 }))
    const kept = await s.insert('oauth2_authorization_codes', { credential: CREDENTIAL }, { ttl: 900 })
    now = 1_300
    expect(await s.findOne('oauth2_authorization_codes', { id: expiring[0].id })).toBeUndefined()
    expect(await s.purge()).toBe(2)
    expect(await s.purge()).toBe(1)
    expect(await s.findOne('oauth2_authorization_codes', { id: kept.id })).toBeDefined()
  })

  it('refuses entities that are configuration, not runtime data', async () => {
    await expect(open().insert('consumers', { username: 'x' })).rejects.toThrow(/not runtime data/)
  })
})
