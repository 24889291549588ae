// Admin write → change served: time from sending POST /routes for a new path to the proxy's first 200 on it.
import { performance } from 'node:perf_hooks'
import { Pool } from 'undici'
import type { BenchAdmin } from './admin.ts'

export interface ChangeOptions {
  count: number
  /** Pause between changes, so each change is measured on its own rather than coalesced with the previous one. */
  gapMs: number
  /** Pause between two polls of the proxy after a non-200. */
  pollMs: number
  /** Give up on one change after this long; it counts as a timeout (and as +Infinity in the percentiles). */
  timeoutMs: number
}

export interface ChangeStats {
  routes: number
  changes: number
  p50Ms: number
  p99Ms: number
  maxMs: number
  /** The admin's own answer time for the POST (commit + event), for telling admin cost from proxy cost. */
  adminP50Ms: number
  adminP99Ms: number
  timeouts: number
  samplesMs: number[]
  /** Share of the pinned cores other processes took during the whole measurement (set by run.ts). */
  foreignSutPct?: number
  foreignLoadPct?: number
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Nearest-rank percentile over a sorted copy; p99 of 100 samples is the 99th smallest. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]
}

async function status(pool: Pool, path: string): Promise<number> {
  const r = await pool.request({ method: 'GET', path })
  await r.body.dump()
  return r.statusCode
}

/** Runs `count` changes one after another against one gateway; `routes` is its route count before the first. */
export async function measureChanges(admin: BenchAdmin, proxyUrl: string, upstreamUrl: string, routes: number, tag: string, o: ChangeOptions): Promise<ChangeStats> {
  const service = await admin.create('/services', { name: `bench-changes-${tag}`, url: upstreamUrl })
  const proxy = new Pool(proxyUrl, { connections: 1, pipelining: 1, keepAliveTimeout: 60_000 })
  const samples: number[] = []
  const adminTimes: number[] = []
  let timeouts = 0
  try {
    for (let i = 0; i < o.count; i++) {
      // Kong's path prefixes are plain string prefixes: the trailing '-' keeps /w-x-1- from matching /w-x-10-/hello.
      const prefix = `/w-${tag}-${i}-`
      const path = `${prefix}/hello`
      if ((await status(proxy, path)) === 200) throw new Error(`${path} answered 200 before its route existed`)
      const t0 = performance.now()
      const write = admin.create(`/services/${service.id}/routes`, { paths: [prefix], strip_path: true }).then(() => adminTimes.push(performance.now() - t0))
      let served = NaN
      while (performance.now() - t0 < o.timeoutMs) {
        if ((await status(proxy, path)) === 200) {
          served = performance.now() - t0
          break
        }
        await sleep(o.pollMs)
      }
      await write
      if (Number.isNaN(served)) {
        timeouts++
        samples.push(Number.POSITIVE_INFINITY)
      } else samples.push(served)
      await sleep(o.gapMs)
    }
  } finally {
    await proxy.close()
  }
  return {
    routes,
    changes: o.count,
    p50Ms: percentile(samples, 50),
    p99Ms: percentile(samples, 99),
    maxMs: Math.max(...samples),
    adminP50Ms: percentile(adminTimes, 50),
    adminP99Ms: percentile(adminTimes, 99),
    timeouts,
    samplesMs: samples.map((x) => Math.round(x * 100) / 100),
  }
}
