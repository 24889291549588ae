// HTTP/2 load for the bench's h2 row (wrk and autocannon speak HTTP/1.1 only): a few TLS sessions, each
// keeping a fixed number of streams in flight, for a fixed time; reports like the other generators.
import { connect, type ClientHttp2Session } from 'node:http2'
import { performance } from 'node:perf_hooks'
import type { LoadResult } from './load.ts'

export interface H2LoadSpec {
  /** https://host:port/path */
  url: string
  headers: Record<string, string>
  /** Streams in flight in total (spread over `sessions`), comparable to wrk's connections. */
  concurrency: number
  sessions: number
  durationSec: number
}

/** Runs in the bench driver's process, which is pinned to the load core like wrk. */
export async function runH2Load(spec: H2LoadSpec): Promise<LoadResult> {
  const u = new URL(spec.url)
  const path = u.pathname + u.search
  const sessions: ClientHttp2Session[] = []
  for (let i = 0; i < spec.sessions; i++) {
    const s = connect(u.origin, { rejectUnauthorized: false })
    await new Promise<void>((resolve, reject) => {
      s.once('connect', () => resolve())
      s.once('error', reject)
    })
    sessions.push(s)
  }
  const latencies: number[] = []
  let errors = 0
  const end = performance.now() + spec.durationSec * 1000
  const started = performance.now()
  const headers = { ':path': path, ...Object.fromEntries(Object.entries(spec.headers).map(([k, v]) => [k.toLowerCase(), v])) }
  const one = (s: ClientHttp2Session): Promise<void> =>
    new Promise((resolve) => {
      const t0 = performance.now()
      const st = s.request(headers)
      let status = 0
      st.on('response', (h) => (status = Number(h[':status'])))
      st.on('data', () => {})
      st.on('end', () => {
        if (status >= 200 && status < 400) latencies.push(performance.now() - t0)
        else errors++
        resolve()
      })
      st.on('error', () => {
        errors++
        resolve()
      })
    })
  const lane = async (s: ClientHttp2Session) => {
    while (performance.now() < end) await one(s)
  }
  const perSession = Math.max(1, Math.round(spec.concurrency / spec.sessions))
  await Promise.all(sessions.flatMap((s) => Array.from({ length: perSession }, () => lane(s))))
  const elapsed = (performance.now() - started) / 1000
  for (const s of sessions) s.close()
  latencies.sort((a, b) => a - b)
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? NaN
  return { rps: latencies.length / elapsed, p50Ms: q(0.5), p99Ms: q(0.99), requests: latencies.length, errors }
}
