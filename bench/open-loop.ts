// Open-loop (fixed-rate) load generator, run as its own pinned process: request i is due at start + i/rate
// whether or not earlier ones answered, and its latency counts from that due time (wrk2-style, so a stall
// shows in the tail instead of pausing the sender as a closed loop does). Prints one `BENCH_JSON {…}` line.
import { performance } from 'node:perf_hooks'
import { Pool } from 'undici'

export interface OpenLoopSpec {
  url: string
  headers: Record<string, string>
  rate: number
  durationSec: number
  connections: number
  /** Seconds at the same rate before the measured ones (connections opened, code compiled), not recorded. */
  warmupSec?: number
}

export interface OpenLoopResult {
  rate: number
  /** Requests completed per second over the whole run (falls short of `rate` when the target cannot keep up). */
  achievedRps: number
  requests: number
  p50Ms: number
  p99Ms: number
  p999Ms: number
  maxMs: number
  /** Socket errors, non-2xx answers and requests unanswered at the deadline. */
  errors: number
  /** How late this generator sent requests (p99, ms): when it is large the generator, not the target, was slow. */
  sendLagP99Ms: number
}

/** Closed-loop warm-up before the schedule starts. */
const PREWARM_MS = 1000

function percentile(sorted: Float64Array, p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] : NaN
}

async function main(spec: OpenLoopSpec): Promise<OpenLoopResult> {
  const u = new URL(spec.url)
  const path = u.pathname + u.search
  const pool = new Pool(u.origin, { connections: spec.connections, pipelining: 1, keepAliveTimeout: 60_000 })
  // Open every connection first and warm both ends up in a closed loop (JIT, pools): a cold start at the full
  // rate leaves a backlog of a few hundred ms that the warm-up schedule below may not drain before the
  // measured requests, which then inherit its queueing. Then warm-up + measured requests run on one
  // schedule; only the measured ones count.
  const warmUntil = performance.now() + PREWARM_MS
  const closedLoop = async () => {
    while (performance.now() < warmUntil) await pool.request({ method: 'GET', path, headers: spec.headers }).then((r) => r.body.dump())
  }
  await Promise.all(Array.from({ length: spec.connections }, closedLoop))
  const skip = Math.round(spec.rate * (spec.warmupSec ?? 1))
  const total = skip + Math.max(1, Math.round(spec.rate * spec.durationSec))
  const latency = new Float64Array(total).fill(Infinity)
  const lag = new Float64Array(total)
  let sent = 0
  let done = 0
  let errors = 0
  let finish!: () => void
  const finished = new Promise<void>((r) => (finish = r))
  const start = performance.now() + 20
  const interval = 1000 / spec.rate
  const fire = (i: number, now: number) => {
    const due = start + i * interval
    lag[i] = now - due
    pool.request({ method: 'GET', path, headers: spec.headers }).then(
      async (r) => {
        await r.body.dump()
        if (r.statusCode >= 400 && i >= skip) errors++
        latency[i] = performance.now() - due
      },
      () => {
        if (i >= skip) errors++
        latency[i] = performance.now() - due
      },
    ).finally(() => {
      if (++done === total) finish()
    })
  }
  // setImmediate rather than a 1 ms timer: requests leave within microseconds of their due time (this process
  // has the load core to itself), and the response callbacks still run between two turns.
  const tick = () => {
    const now = performance.now()
    const due = Math.min(total, Math.floor((now - start) / interval) + 1)
    while (sent < due) fire(sent++, now)
    if (sent < total) setImmediate(tick)
  }
  setImmediate(tick)
  const deadline = setTimeout(finish, (spec.durationSec + (spec.warmupSec ?? 1)) * 1000 + 10_000)
  await finished
  clearTimeout(deadline)
  const elapsedSec = (performance.now() - (start + skip * interval)) / 1000
  void pool.destroy()
  const measured = latency.subarray(skip)
  const answered = measured.filter((x) => x !== Infinity).length
  const unanswered = total - skip - answered
  const sorted = measured.slice().sort()
  const lags = lag.slice(skip, Math.max(skip, sent)).sort()
  return {
    rate: spec.rate,
    achievedRps: answered / elapsedSec,
    requests: answered,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    p999Ms: percentile(sorted, 0.999),
    maxMs: sorted[sorted.length - 1],
    errors: errors + unanswered,
    sendLagP99Ms: percentile(lags, 0.99),
  }
}

if (process.argv[1] === import.meta.filename) {
  main(JSON.parse(process.argv[2]) as OpenLoopSpec).then(
    (r) => {
      process.stdout.write(`BENCH_JSON ${JSON.stringify(r, (_k, v) => (v === Infinity ? null : v))}\n`)
      process.exit(0)
    },
    (e) => {
      process.stderr.write(`open-loop failed: ${e?.stack ?? e}\n`)
      process.exit(1)
    },
  )
}
