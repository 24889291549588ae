// Admin writes per store: for SQLite and Postgres, a gateway at 10,000 routes on that store; writes/s (POST
// /consumers, 8 in flight) and admin write → served latency (the same measurement as the main change rows).
import { performance } from 'node:perf_hooks'
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { BenchAdmin, createMany, waitForVersion } from './admin.ts'
import { measureChanges, type ChangeOptions, type ChangeStats } from './changes.ts'
import { startGateway, stop } from './procs.ts'
import type { ForeignShare } from './cpu-share.ts'

export type StoreName = 'sqlite' | 'postgres'

export interface StoreWriteStats extends ChangeStats {
  store: StoreName
  writes: number
  writesPerSec: number
}

/** Postgres for the bench: BENCH_PG_HOST / BENCH_PG_PORT / BENCH_PG_USER (default 127.0.0.1:5432, postgres); a fresh database per run. */
const PG = { host: process.env.BENCH_PG_HOST ?? '127.0.0.1', port: Number(process.env.BENCH_PG_PORT ?? 5432), user: process.env.BENCH_PG_USER ?? 'postgres' }

async function onServer(q: string): Promise<void> {
  const c = new pg.Client({ ...PG, database: 'postgres' })
  await c.connect()
  try {
    await c.query(q)
  } finally {
    await c.end()
  }
}

export interface StoreWriteOptions extends ChangeOptions {
  routes: number
  writes: number
  entry: string
  cores: { admin: string | null; proxy: string | null }
  upstreamUrl: string
  fill(admin: BenchAdmin, upstreamUrl: string, count: number): Promise<void>
  log(msg: string): void
  /**
   * Starts counting other processes' share of the pinned cores, this gateway's own processes counted as ours;
   * the returned function ends it. Called around the timed phases only: the fill before them is set-up.
   */
  watchCores?(pids: { sut: number[]; load: number[] }): () => ForeignShare
}

export async function measureStoreWrites(store: StoreName, o: StoreWriteOptions): Promise<StoreWriteStats> {
  const database = `postern_bench_${randomBytes(4).toString('hex')}`
  let env: Record<string, string> = {}
  if (store === 'postgres') {
    await onServer(`CREATE DATABASE "${database}"`)
    env = { KONG_DATABASE: 'postgres', KONG_PG_HOST: PG.host, KONG_PG_PORT: String(PG.port), KONG_PG_USER: PG.user, KONG_PG_DATABASE: database }
  }
  const gw = await startGateway(`store-${store}`, o.entry, o.cores, [], {}, env)
  try {
    const admin = new BenchAdmin(gw.adminUrl)
    await o.fill(admin, o.upstreamUrl, o.routes)
    await waitForVersion(gw.statusUrl, admin.lastVersion)
    const watched = o.watchCores?.({ sut: [gw.proxy.proc.pid!], load: [gw.admin.proc.pid!] })
    const t0 = performance.now()
    await createMany(admin, '/consumers', o.writes, (i) => ({ username: `bench-writer-${i}` }), 8)
    const writesPerSec = o.writes / ((performance.now() - t0) / 1000)
    await waitForVersion(gw.statusUrl, admin.lastVersion)
    o.log(`  ${store}: ${writesPerSec.toFixed(0)} writes/s`)
    const c = await measureChanges(admin, gw.proxyUrl, o.upstreamUrl, o.routes, `store-${store}`, o)
    return { ...c, ...watched?.(), store, writes: o.writes, writesPerSec }
  } finally {
    await Promise.all([stop(gw.proxy), stop(gw.admin)])
    if (store === 'postgres') await onServer(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`).catch(() => {})
  }
}
