// The load generators: closed loop with wrk when installed (one thread, pinned), else autocannon (req/s, p50, p99); open loop with open-loop.ts.
import { spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import type { OpenLoopResult, OpenLoopSpec } from './open-loop.ts'
import { hasCommand, pinned, ROOT, track } from './procs.ts'

export type LoadGenName = 'wrk' | 'autocannon'

export interface LoadSpec {
  url: string
  headers: Record<string, string>
  connections: number
  durationSec: number
  core: string | null
}

export interface LoadResult {
  rps: number
  p50Ms: number
  p99Ms: number
  requests: number
  /** Socket errors plus non-2xx/3xx answers: a row with errors is not a valid measurement. */
  errors: number
  /** Share of the system-under-test / load core that processes not started by the bench took during the run (see cpu-share.ts). */
  foreignSutPct?: number
  foreignLoadPct?: number
  /** CPU time (user + system) the target process spent per request, in µs: cost independent of who shares its core. */
  cpuUsPerReq?: number
}

/** BENCH_LOADGEN forces one; otherwise wrk if it is on PATH. */
export function pickLoadGen(forced?: string): LoadGenName {
  if (forced === 'wrk' || forced === 'autocannon') return forced
  if (forced) throw new Error(`BENCH_LOADGEN must be wrk or autocannon, not ${forced}`)
  return hasCommand('wrk') ? 'wrk' : 'autocannon'
}

export function loadGenVersion(gen: LoadGenName): string {
  if (gen === 'autocannon') return `autocannon ${createRequire(import.meta.url)('autocannon/package.json').version}`
  return 'wrk' // wrk 4.x has no --version flag that exits 0; the Debian package version is in the machine info
}

/** Runs one bounded measurement (the generator stops itself after durationSec; we also kill it after 3× that). */
export function runLoad(gen: LoadGenName, spec: LoadSpec): Promise<LoadResult> {
  return gen === 'wrk' ? runWrk(spec) : runAutocannon(spec)
}

function capture(argv: string[], limitMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] })
    track(p)
    let out = ''
    p.stdout.on('data', (d: Buffer) => (out += d.toString()))
    p.stderr.on('data', (d: Buffer) => (out += d.toString()))
    const t = setTimeout(() => p.kill('SIGKILL'), limitMs)
    p.on('error', reject)
    // 'close', not 'exit': 'exit' can come before the last of stdout has been read (seen with two load
    // generators at once on a busy core: wrk's whole report was still in the pipe)
    p.on('close', (code) => {
      clearTimeout(t)
      if (code === 0) resolve(out)
      else reject(new Error(`${argv.join(' ')} exited with ${code}:\n${out}`))
    })
  })
}

async function runWrk(s: LoadSpec): Promise<LoadResult> {
  const argv = ['wrk', '-t1', `-c${s.connections}`, `-d${s.durationSec}s`, '--timeout', '5s', '-s', join(ROOT, 'bench/wrk-report.lua')]
  for (const [k, v] of Object.entries(s.headers)) argv.push('-H', `${k}: ${v}`)
  argv.push(s.url)
  const out = await capture(pinned(s.core, argv), s.durationSec * 3000 + 10_000)
  const line = out.split('\n').find((l) => l.startsWith('BENCH_JSON '))
  if (!line) throw new Error(`wrk printed no report:\n${out}`)
  const r = JSON.parse(line.slice('BENCH_JSON '.length))
  return {
    rps: r.requests / (r.duration_us / 1e6),
    p50Ms: r.p50_us / 1000,
    p99Ms: r.p99_us / 1000,
    requests: r.requests,
    errors: r.socket_errors + r.non2xx,
  }
}

async function runAutocannon(s: LoadSpec): Promise<LoadResult> {
  const bin = createRequire(import.meta.url).resolve('autocannon/autocannon.js')
  const argv = [process.execPath, bin, '-j', '-c', String(s.connections), '-d', String(s.durationSec), '-t', '5']
  for (const [k, v] of Object.entries(s.headers)) argv.push('-H', `${k}=${v}`)
  argv.push(s.url)
  const out = await capture(pinned(s.core, argv), s.durationSec * 3000 + 15_000)
  const json = out.slice(out.indexOf('{'), out.lastIndexOf('}') + 1)
  const r = JSON.parse(json)
  return {
    rps: r.requests.total / (r.duration || s.durationSec),
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    requests: r.requests.total,
    errors: (r.errors ?? 0) + (r.timeouts ?? 0) + (r.non2xx ?? 0),
  }
}

/** One fixed-rate run of bench/open-loop.ts as its own process on the load core (bounded: it stops itself; killed after 3× + 15 s). */
export async function runOpenLoop(s: Omit<OpenLoopSpec, 'url'> & { url: string; core: string | null }): Promise<OpenLoopResult> {
  const { core, ...spec } = s
  const argv = [process.execPath, '--import', 'tsx', join(ROOT, 'bench/open-loop.ts'), JSON.stringify(spec)]
  const out = await capture(pinned(core, argv), spec.durationSec * 3000 + 15_000)
  const line = out.split('\n').find((l) => l.startsWith('BENCH_JSON '))
  if (!line) throw new Error(`open-loop printed no report:\n${out}`)
  const r = JSON.parse(line.slice('BENCH_JSON '.length), (_k, v) => (v === null ? Infinity : v)) as OpenLoopResult
  return r
}
