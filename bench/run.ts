// `pnpm bench`: starts upstream, yardsticks and Postern, runs every scenario row interleaved, measures reloads and memory, writes results.
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { cpus, availableParallelism, loadavg, release } from 'node:os'
import { resolve } from 'node:path'
import { Pool } from 'undici'
import { BenchAdmin, createMany, proxyStatus, waitForVersion } from './admin.ts'
import { measureChanges, type ChangeStats } from './changes.ts'
import { CLK_TCK, foreignPct, pidTicks, snapshot, type CoreOwners } from './cpu-share.ts'
import { loadGenVersion, pickLoadGen, runLoad, type LoadResult } from './load.ts'
import { runH2Load } from './h2-load.ts'
import { hasCommand, killAllSync, posternEntry, startEcho, startGateway, startNginx, startReference, stopAll, type Gateway } from './procs.ts'
import { checkTargets, toRows, writeResults, type MemoryRow, type RunReport } from './report.ts'
import { fillerRoute, SCENARIOS, targetsOf, type Request, type Scenario, type Target } from './scenarios.ts'
import { closePluginRows, PLUGIN_SCENARIOS } from './plugin-rows.ts'

/** Each knob is BENCH_<NAME> in the environment or --<name>=<value> on the command line (the flag wins). */
function option(name: string, fallback: string): string {
  const flag = process.argv.find((a) => a.startsWith(`--${name}=`))
  if (flag) return flag.slice(name.length + 3)
  return process.env[`BENCH_${name.toUpperCase().replace(/-/g, '_')}`] ?? fallback
}
const int = (name: string, fallback: number) => {
  const v = Number(option(name, String(fallback)))
  if (!Number.isInteger(v) || v < 0) throw new Error(`--${name} must be a non-negative integer`)
  return v
}

const opts = {
  connections: int('connections', 50),
  durationSec: int('duration', 4),
  rounds: int('rounds', 5),
  warmupSec: int('warmup', 3),
  routes: int('routes', 10_000),
  smallRoutes: 10,
  changes: int('changes', 100),
  changeGapMs: int('change-gap', 50),
  changePollMs: int('change-poll', 1),
  changeTimeoutMs: int('change-timeout', 5000),
  only: option('only', ''),
  loadgen: option('loadgen', ''),
  pin: option('pin', 'auto'),
  loadCore: option('load-core', '1'),
  sutCore: option('sut-core', '0'),
  cpuProf: option('cpu-prof', ''),
  maxForeignPct: int('max-foreign', 10),
  retries: int('retries', 3),
  extra: option('extra', ''),
  postern: option('postern', 'auto'),
}

const CORES = availableParallelism() // read before decidePinning() narrows this process to one core
const LOAD_AT_START = loadavg().map((x) => Math.round(x * 100) / 100)
const log = (msg: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`)
const notes: string[] = []

function machineInfo(loadGenerator: string, pinning: string): Record<string, unknown> {
  const v = (cmd: string, args: string[]) => {
    const r = spawnSync(cmd, args, { encoding: 'utf8' })
    return `${r.stdout ?? ''}${r.stderr ?? ''}`.split('\n')[0].trim() || null
  }
  return {
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: CORES,
    os: `${process.platform} ${release()}`,
    loadGenerator: loadGenerator === 'wrk' ? (v('wrk', ['-v'])?.match(/^wrk \S+/)?.[0] ?? 'wrk') : loadGenVersion('autocannon'),
    nginx: hasCommand('nginx') ? v('nginx', ['-v']) : null,
    pinning,
    loadAverageAtStart: LOAD_AT_START,
    loadAverageAtEnd: loadavg().map((x) => Math.round(x * 100) / 100),
  }
}

/** Load on one core, data path (proxies + upstream) on the other; the control plane and this driver sit with the load. */
function decidePinning(): { load: string | null; sut: string | null; text: string } {
  if (opts.pin === 'off') return { load: null, sut: null, text: 'off (BENCH_PIN=off)' }
  if (!hasCommand('taskset')) return { load: null, sut: null, text: 'none (taskset not installed)' }
  if (CORES < 2) return { load: null, sut: null, text: 'none (one core)' }
  spawnSync('taskset', ['-a', '-p', '-c', opts.loadCore, String(process.pid)], { stdio: 'ignore' }) // -a: libuv and V8 threads too
  return { load: opts.loadCore, sut: opts.sutCore, text: `load generator + admin + driver on core ${opts.loadCore}; proxy under test + echo upstream on core ${opts.sutCore}` }
}

/** Creates the filler routes that make a gateway "small" or "large": one service, routes with distinct hosts and prefixes. */
async function fill(admin: BenchAdmin, upstreamUrl: string, count: number): Promise<void> {
  const service = await admin.create('/services', { name: 'bench-filler', url: upstreamUrl })
  const started = Date.now()
  await createMany(admin, `/services/${service.id}/routes`, count, (i) => ({ ...fillerRoute(i), strip_path: true }), 8)
  log(`created ${count} routes in ${((Date.now() - started) / 1000).toFixed(1)} s`)
}

/** One request per row before measuring: a row that does not answer 200 would measure an error page. */
async function preflight(url: string, req: Request): Promise<void> {
  const pool = new Pool(url)
  try {
    const r = await pool.request({ method: 'GET', path: req.path, headers: req.headers })
    const body = await r.body.text()
    if (r.statusCode !== 200) throw new Error(`preflight ${url}${req.path} → ${r.statusCode} ${body.slice(0, 200)}`)
  } finally {
    await pool.close()
  }
}

async function memory(gw: Gateway, routes: number, when: string): Promise<MemoryRow> {
  const s = await proxyStatus(gw.statusUrl)
  return { gateway: `${gw.name} proxy`, routes, when, rssMB: (s.memory?.rss ?? NaN) / 2 ** 20, heapUsedMB: s.memory?.heap_used === undefined ? undefined : s.memory.heap_used / 2 ** 20 }
}

async function workerPids(gw: Gateway): Promise<number[]> {
  const s = (await proxyStatus(gw.statusUrl)) as { workers?: Array<{ pid: number }> }
  return (s.workers ?? []).map((w) => w.pid)
}

async function main(): Promise<void> {
  const startedAt = new Date().toISOString()
  // Without pinning there is no per-run contamination figure; the load average is the only hint of a busy machine.
  if (LOAD_AT_START[0] > 1 && (opts.pin === 'off' || CORES < 2)) notes.push(`machine busy at start: 1-min load average ${LOAD_AT_START[0]}; figures may be noisy`)
  const gen = pickLoadGen(opts.loadgen || undefined)
  const pin = decidePinning()
  const cores = { admin: pin.load, proxy: pin.sut }
  log(`load generator: ${gen}; pinning: ${pin.text}`)

  let scenarios: Scenario[] = [...SCENARIOS, ...PLUGIN_SCENARIOS]
  for (const mod of opts.extra.split(',').filter(Boolean)) {
    const m = (await import(resolve(mod))) as { scenarios?: Scenario[] }
    scenarios.push(...(m.scenarios ?? []))
  }
  if (opts.only) scenarios = scenarios.filter((s) => new RegExp(opts.only, 'i').test(s.name))
  if (targetsOf(scenarios).has('nginx') && !hasCommand('nginx')) {
    notes.push('nginx is not installed: the nginx row was skipped')
    scenarios = scenarios.filter((s) => s.target !== 'nginx')
  }
  const targets = targetsOf(scenarios)

  const postern = posternEntry(opts.postern)
  log(`postern: ${postern.note}`)
  // Profiles: one .cpuprofile per Postern proxy and per reference proxy, named by pid (the log says which is which).
  const profFlags = opts.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${resolve(opts.cpuProf)}`] : []
  const echo = await startEcho(pin.sut)
  const upstreamUrl = `http://127.0.0.1:${echo.port}`
  const urls = new Map<Target, string>([['direct', upstreamUrl]])
  const sutPids = [echo.proc.pid!]
  const targetPid = new Map<Target, number>([['direct', echo.proc.pid!]])
  const loadPids: number[] = []
  for (const [t, start] of [['reference', () => startReference(pin.sut, upstreamUrl, profFlags)], ['nginx', () => startNginx(pin.sut, echo.port)]] as const) {
    if (!targets.has(t)) continue
    const p = await start()
    sutPids.push(p.proc.pid!)
    targetPid.set(t, p.proc.pid!)
    log(`${p.name} pid ${p.proc.pid} on port ${p.port}`)
    urls.set(t, `http://127.0.0.1:${p.port}`)
  }

  const gateways = new Map<Target, { gw: Gateway; admin: BenchAdmin; routes: number }>()
  // the workers gateway runs unpinned (its workers may use every core); the h2 one has an `http2 ssl` listener
  const gatewayEnv: Partial<Record<Target, Record<string, string>>> = {
    'postern-workers': { KONG_NGINX_WORKER_PROCESSES: '2' },
    'postern-h2': { KONG_PROXY_LISTEN: '127.0.0.1:0, 127.0.0.1:0 http2 ssl' },
  }
  const gatewayList = [['postern-small', 'small', opts.smallRoutes], ['postern-large', 'large', opts.routes], ['postern-workers', 'workers', opts.smallRoutes], ['postern-h2', 'h2', opts.smallRoutes]] as const
  for (const [t, name, count] of gatewayList) {
    if (!targets.has(t)) continue
    const gwCores = t === 'postern-workers' ? { admin: cores.admin, proxy: null } : cores
    const gw = await startGateway(name, postern.entry, gwCores, profFlags, gatewayEnv[t])
    const admin = new BenchAdmin(gw.adminUrl)
    await fill(admin, upstreamUrl, count)
    gateways.set(t, { gw, admin, routes: count })
    sutPids.push(gw.proxy.proc.pid!)
    targetPid.set(t, gw.proxy.proc.pid!)
    log(`${name} gateway: proxy pid ${gw.proxy.proc.pid} port ${gw.proxy.port}, admin pid ${gw.admin.proc.pid} port ${gw.admin.port}`)
    loadPids.push(gw.admin.proc.pid!)
    urls.set(t, t === 'postern-h2' ? gw.tlsUrl! : gw.proxyUrl)
  }

  // Row setup through the admin API, then wait until each proxy applied the last write.
  const requests = new Map<string, Request>()
  for (const s of scenarios) {
    const g = gateways.get(s.target)
    if (s.setup) {
      if (!g) throw new Error(`${s.name}: setup needs a Postern target`)
      requests.set(s.name, await s.setup({ admin: g.admin, upstreamUrl, routeCount: g.routes, unique: s.name.replace(/[^a-z0-9]+/gi, '-').toLowerCase() }))
    } else requests.set(s.name, s.request ?? { path: '/hello' })
  }
  const mem: MemoryRow[] = []
  for (const { gw, admin, routes } of gateways.values()) {
    await waitForVersion(gw.statusUrl, admin.lastVersion)
    mem.push(await memory(gw, routes, 'idle, after setup'))
  }
  for (const s of scenarios) if (s.protocol !== 'h2') await preflight(urls.get(s.target)!, requests.get(s.name)!)

  // With pinning, count what other processes took from each core during each run (a shared machine's noise, made visible).
  const owners: CoreOwners[] = pin.sut === null ? [] : [{ core: pin.sut, pids: sutPids }, { core: pin.load!, pids: loadPids, self: true }]
  const load = async (s: Scenario, durationSec: number): Promise<LoadResult> => {
    const before = snapshot(owners)
    // a workers gateway's CPU is its primary's plus its workers' (listed by its /status)
    const pids = s.target === 'postern-workers' ? [targetPid.get(s.target)!, ...(await workerPids(gateways.get(s.target)!.gw))] : [targetPid.get(s.target)!]
    const ticks = () => pids.reduce((sum, p) => sum + pidTicks(p), 0)
    const t0 = ticks()
    const url = urls.get(s.target)! + requests.get(s.name)!.path
    const headers = requests.get(s.name)!.headers ?? {}
    const r =
      s.protocol === 'h2'
        ? await runH2Load({ url, headers, concurrency: opts.connections, sessions: 5, durationSec })
        : await runLoad(gen, { url, headers, connections: opts.connections, durationSec, core: s.target === 'postern-workers' ? null : pin.load })
    const cpuUsPerReq = ((ticks() - t0) * 1e6) / CLK_TCK / r.requests
    const f = foreignPct(before, snapshot(owners))
    return { ...r, cpuUsPerReq, ...(pin.sut === null ? {} : { foreignSutPct: f[pin.sut], foreignLoadPct: f[pin.load!] }) }
  }
  if (opts.warmupSec > 0) {
    for (const s of scenarios) {
      log(`warm-up ${s.name}`)
      await load(s, opts.warmupSec)
    }
  }
  // Interleaved A/B: every round visits every row, starting one row later each round so no row always follows the same one.
  const rounds = new Map<string, LoadResult[]>()
  const contaminated = (r: LoadResult) => (r.foreignSutPct ?? 0) > opts.maxForeignPct || (r.foreignLoadPct ?? 0) > opts.maxForeignPct
  for (let k = 0; k < opts.rounds; k++) {
    for (let j = 0; j < scenarios.length; j++) {
      const s = scenarios[(j + k) % scenarios.length]
      // A round in which other processes took more than maxForeignPct of a pinned core is run again (bounded).
      let r = await load(s, opts.durationSec)
      for (let a = 0; a < opts.retries && contaminated(r); a++) {
        log(`round ${k + 1}/${opts.rounds} ${s.name}: other processes took ${r.foreignSutPct}% / ${r.foreignLoadPct}% of the cores; again`)
        r = await load(s, opts.durationSec)
      }
      log(`round ${k + 1}/${opts.rounds} ${s.name}: ${Math.round(r.rps)} req/s p50 ${r.p50Ms.toFixed(2)} p99 ${r.p99Ms.toFixed(2)} ms ${r.cpuUsPerReq!.toFixed(1)} µs CPU/req${r.errors ? ` errors ${r.errors}` : ''} · other CPU on cores: sut ${r.foreignSutPct ?? '?'}% load ${r.foreignLoadPct ?? '?'}%`)
      rounds.set(s.name, [...(rounds.get(s.name) ?? []), r])
    }
  }
  for (const { gw, routes } of gateways.values()) mem.push(await memory(gw, routes, 'after load'))

  const changes: ChangeStats[] = []
  if (opts.changes > 0) {
    for (const { gw, admin, routes } of gateways.values()) {
      await waitForVersion(gw.statusUrl, admin.lastVersion)
      log(`admin write → served: ${opts.changes} changes at ${routes} routes`)
      const before = snapshot(owners)
      const c = await measureChanges(admin, gw.proxyUrl, upstreamUrl, routes, gw.name, {
        count: opts.changes, gapMs: opts.changeGapMs, pollMs: opts.changePollMs, timeoutMs: opts.changeTimeoutMs,
      })
      const f = foreignPct(before, snapshot(owners))
      if (pin.sut !== null) Object.assign(c, { foreignSutPct: f[pin.sut], foreignLoadPct: f[pin.load!] })
      log(`  p50 ${c.p50Ms.toFixed(2)} ms p99 ${c.p99Ms.toFixed(2)} ms (admin answer p50 ${c.adminP50Ms.toFixed(2)} ms)`)
      changes.push(c)
    }
  }

  const rows = toRows(scenarios, rounds, (s) => gateways.get(s.target)?.routes)
  for (const r of rows) if (r.errors) notes.push(`${r.name}: ${r.errors} errors or non-2xx answers during measurement; treat the row as invalid`)
  for (const r of rows) if (r.foreignSutPct > opts.maxForeignPct || r.foreignLoadPct > opts.maxForeignPct) notes.push(`${r.name}: other processes took a median ${r.foreignSutPct}% of the SUT core and ${r.foreignLoadPct}% of the load core; its figures are contaminated`)
  for (const c of changes) if ((c.foreignSutPct ?? 0) > opts.maxForeignPct || (c.foreignLoadPct ?? 0) > opts.maxForeignPct) notes.push(`write → served at ${c.routes} routes: other processes took ${c.foreignSutPct}% / ${c.foreignLoadPct}% of the cores; contaminated`)
  if (opts.cpuProf) notes.push(`proxy CPU profiles written to ${resolve(opts.cpuProf)} (profiling slows the proxies; do not compare these figures with unprofiled runs)`)
  const report: RunReport = {
    startedAt, finishedAt: new Date().toISOString(),
    machine: { ...machineInfo(gen, pin.text), postern: postern.note },
    options: opts, rows, changes, memory: mem,
    targets: checkTargets(rows, changes, opts.routes),
    notes,
  }
  const files = writeResults(report)
  process.stdout.write(`${files.map((f) => `wrote ${f}`).join('\n')}\n\n`)
  for (const a of [...gateways.values()].map((g) => g.admin)) await a.close()
}

process.on('exit', killAllSync)
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => void stopAll().finally(() => process.exit(130)))

main()
  .then(async () => {
    await stopAll()
    await closePluginRows()
    process.stdout.write(readFileSync(resolve(import.meta.dirname, 'results/latest.md'), 'utf8'))
  })
  .catch(async (e) => {
    process.stderr.write(`bench failed: ${e?.stack ?? e}\n`)
    await stopAll()
    process.exitCode = 1
  })
