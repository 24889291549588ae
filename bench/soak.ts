// `pnpm bench --soak`: the large gateway's no-plugins route at full closed-loop load for BENCH_SOAK_MINUTES, proxy RSS
// and heap sampled every BENCH_SOAK_INTERVAL s from its status listener; growth from the first to the last third fails.
import { BenchAdmin, proxyStatus, waitForVersion } from './admin.ts'
import { fillConsumers, fillRoutes, preflight } from './fill.ts'
import { pickLoadGen, runLoad, type LoadResult } from './load.ts'
import { decidePinning, log, machineInfo, opts } from './options.ts'
import { posternEntry, startEcho, startGateway } from './procs.ts'
import { median, verdict, writeResultFiles } from './report.ts'
import { SCENARIOS } from './scenarios.ts'

export interface SoakSample {
  /** Seconds since the load started. */
  atSec: number
  rssMB: number
  heapUsedMB: number
}

export interface SoakCheck {
  metric: 'rss' | 'heap_used'
  firstThirdMB: number
  lastThirdMB: number
  growth: number
  pass: boolean | null
}

/** Growth allowed from the first third's floor to the last third's (after warm-up) before it counts as a leak. */
const MAX_GROWTH = 0.1

/**
 * Samples taken after the warm-up, split in thirds; null verdicts when there are fewer than three. Each third
 * counts by its lowest reading, the one nearest a collection: garbage that waits for the next major GC (the
 * admin writes that filled the gateway leave ~100 MB of it, collected whenever V8 gets to it) would
 * otherwise make the first third look high and hide a leak behind the drop, or fake one.
 */
export function checkSoak(samples: SoakSample[], warmupSec: number): SoakCheck[] {
  const kept = samples.filter((s) => s.atSec > warmupSec)
  const third = Math.floor(kept.length / 3)
  return (['rss', 'heap_used'] as const).map((metric) => {
    const v = (s: SoakSample) => (metric === 'rss' ? s.rssMB : s.heapUsedMB)
    if (third === 0) return { metric, firstThirdMB: NaN, lastThirdMB: NaN, growth: NaN, pass: null }
    const first = Math.min(...kept.slice(0, third).map(v))
    const last = Math.min(...kept.slice(kept.length - third).map(v))
    const growth = last / first - 1
    return { metric, firstThirdMB: first, lastThirdMB: last, growth, pass: growth <= MAX_GROWTH }
  })
}

export async function runSoak(): Promise<void> {
  const startedAt = new Date().toISOString()
  const gen = pickLoadGen(opts.loadgen || undefined)
  const pin = decidePinning()
  const postern = posternEntry(opts.postern)
  const durationSec = opts.soakMinutes * 60
  // Warm-up: samples from the first minute (a fifth of a short soak) are shown but not judged.
  const warmupSec = Math.min(60, durationSec / 5)
  log(`soak: ${opts.soakMinutes} min at full load on the large gateway, a sample every ${opts.soakIntervalSec} s; ${gen}; pinning: ${pin.text}`)
  const echo = await startEcho(pin.upstream)
  const upstreamUrl = `http://127.0.0.1:${echo.port}`
  const gw = await startGateway('large', postern.entry, { admin: pin.load, proxy: pin.sut })
  const admin = new BenchAdmin(gw.adminUrl)
  await fillRoutes(admin, upstreamUrl, opts.routes)
  await fillConsumers(admin, opts.consumers)
  const plain = SCENARIOS.find((s) => s.name === 'postern no plugins')!
  const req = await plain.setup!({ admin, upstreamUrl, routeCount: opts.routes, unique: 'soak-no-plugins' })
  await waitForVersion(gw.statusUrl, admin.lastVersion)
  await preflight(gw.proxyUrl, req)

  const samples: SoakSample[] = []
  const t0 = Date.now()
  const sample = async () => {
    const s = await proxyStatus(gw.statusUrl).catch(() => undefined)
    if (!s?.memory) return
    const x = { atSec: Math.round((Date.now() - t0) / 1000), rssMB: s.memory.rss / 2 ** 20, heapUsedMB: (s.memory.heap_used ?? NaN) / 2 ** 20 }
    samples.push(x)
    log(`soak ${x.atSec} s: RSS ${x.rssMB.toFixed(1)} MB, heap used ${x.heapUsedMB.toFixed(1)} MB`)
  }
  await sample()
  const timer = setInterval(() => void sample(), opts.soakIntervalSec * 1000)
  let load: LoadResult
  try {
    load = await runLoad(gen, { url: gw.proxyUrl + req.path, headers: req.headers ?? {}, connections: opts.connections, durationSec, core: pin.load })
  } finally {
    clearInterval(timer)
  }
  // One last reading at the end of the load, unless the timer's last one was moments ago (it would weigh twice).
  if (samples.length === 0 || Date.now() - t0 - samples[samples.length - 1].atSec * 1000 > (opts.soakIntervalSec * 1000) / 2) await sample()
  await admin.close()

  const checks = checkSoak(samples, warmupSec)
  const notes: string[] = []
  if (load.errors) notes.push(`${load.errors} errors or non-2xx answers during the soak; the load was not what it claims`)
  if (checks.some((c) => c.pass === null)) notes.push(`fewer than three samples after the ${warmupSec} s warm-up: nothing to judge (raise BENCH_SOAK_MINUTES or lower BENCH_SOAK_INTERVAL)`)
  const machine: Record<string, unknown> = { ...machineInfo(gen, pin.text), postern: postern.note }
  const result = {
    startedAt, finishedAt: new Date().toISOString(), machine,
    options: opts, durationSec, warmupSec, maxGrowth: MAX_GROWTH,
    load: { rps: load.rps, p50Ms: load.p50Ms, p99Ms: load.p99Ms, requests: load.requests, errors: load.errors },
    samples, checks, notes,
  }
  const md = [
    `# pnpm bench --soak — ${startedAt}`,
    '',
    `node ${machine.node} · postern: ${postern.note} · pinning: ${pin.text} · load generator: ${String(machine.loadGenerator)}`,
    `large gateway: ${opts.routes} routes, ${opts.consumers} consumers with a key-auth and a jwt credential · route "postern no plugins" · ${opts.connections} connections, closed loop, ${opts.soakMinutes} min`,
    `load: ${Math.round(load.rps).toLocaleString('en-US')} req/s, p50 ${load.p50Ms.toFixed(2)} ms, p99 ${load.p99Ms.toFixed(2)} ms, ${load.requests.toLocaleString('en-US')} requests, ${load.errors} errors`,
    '',
    '| at s | RSS MB | heap used MB |',
    '|---:|---:|---:|',
    ...samples.map((s) => `| ${s.atSec}${s.atSec <= warmupSec ? ' (warm-up)' : ''} | ${s.rssMB.toFixed(1)} | ${s.heapUsedMB.toFixed(1)} |`),
    '',
    '| target | first third (lowest) MB | last third (lowest) MB | growth | result |',
    '|---|---:|---:|---:|---|',
    ...checks.map((c) => `| proxy ${c.metric}: last third's lowest ≤ ${(1 + MAX_GROWTH).toFixed(2)}× first third's (after ${warmupSec} s warm-up) | ${c.firstThirdMB.toFixed(1)} | ${c.lastThirdMB.toFixed(1)} | ${Number.isNaN(c.growth) ? 'n/a' : `${(c.growth * 100).toFixed(1)} %`} | ${verdict(c.pass)} |`),
    '',
    `median over all samples: RSS ${median(samples.map((s) => s.rssMB)).toFixed(1)} MB, heap used ${median(samples.map((s) => s.heapUsedMB)).toFixed(1)} MB`,
    ...(notes.length ? ['', ...notes.map((n) => `- ${n}`)] : []),
    '',
  ].join('\n')
  const files = writeResultFiles(startedAt, result, md, '-soak')
  process.stdout.write(`${files.map((f) => `wrote ${f}`).join('\n')}\n\n`)
  // A leak is a failure of the run, not only a line in the report.
  if (checks.some((c) => c.pass === false)) process.exitCode = 1
}
