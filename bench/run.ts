// `pnpm bench`: starts upstream, yardsticks, peers and Postern, runs every row interleaved, then open loop, reloads, memory and cold start; `--soak` runs soak.ts instead, `--instructions` instructions.ts.
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { BenchAdmin, proxyStatus, waitForVersion } from './admin.ts'
import { measureChanges, type ChangeStats } from './changes.ts'
import { CLK_TCK, pidTicks, procRssMB, watchForeign, type CoreOwners } from './cpu-share.ts'
import { fillConsumers, fillRoutes, memory, preflight } from './fill.ts'
import { pickLoadGen, runLoad, runOpenLoop, type LoadResult } from './load.ts'
import { CORES, decidePinning, LOAD_AT_START, log, machineInfo, opts } from './options.ts'
import { hasCommand, killAllSync, posternEntry, startEcho, startGateway, startNginx, startPeer, startReference, startTwinProxy, stop, stopAll, type Gateway } from './procs.ts'
import { checkTargets, toRows, writeResults, type MemoryRow, type OpenLoopRow, type RunReport } from './report.ts'
import { fillerTarget, SCENARIOS, targetsOf, uniqueOf, type Request, type Scenario, type Target } from './scenarios.ts'
import { runSoak } from './soak.ts'
import { runInstructions } from './instructions.ts'
import { contaminated as isContaminated, runRounds, twinPair } from './rounds.ts'
import { runH2Load } from './h2-load.ts'
import { measureColdStart, type ColdStart } from './startup.ts'
import { closePluginRows, PLUGIN_SCENARIOS } from './plugin-rows.ts'
import { closeObservabilityRows, OBSERVABILITY_SCENARIOS } from './observability-rows.ts'
import { measureStoreWrites, type StoreName, type StoreWriteStats } from './store-writes.ts'

const notes: string[] = []

/** A workers gateway's processes: its /status lists each worker's pid (CPU per request adds them all). */
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

  let scenarios: Scenario[] = [...SCENARIOS, ...PLUGIN_SCENARIOS, ...OBSERVABILITY_SCENARIOS]
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
  // Profiles: one .cpuprofile per Postern proxy and per reference proxy, named by pid (the log says which is which);
  // with BENCH_PERF_MAP=1 the same processes write /tmp/perf-<pid>.map for perf record.
  const profFlags = [...(opts.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${resolve(opts.cpuProf)}`] : []), ...(opts.perfMap ? ['--perf-basic-prof'] : [])]
  const echo = await startEcho(pin.upstream)
  const upstreamUrl = `http://127.0.0.1:${echo.port}`
  const urls = new Map<Target, string>([['direct', upstreamUrl]])
  const sutPids: number[] = []
  const targetPid = new Map<Target, number>([['direct', echo.proc.pid!]])
  const loadPids: number[] = []
  ;(pin.upstream === pin.load ? loadPids : sutPids).push(echo.proc.pid!)
  const starters = [
    ['reference', () => startReference(pin.sut, upstreamUrl, profFlags)],
    ['nginx', () => startNginx(pin.sut, echo.port)],
    ['fastify-http-proxy', () => startPeer('fastify-http-proxy', pin.sut, upstreamUrl, profFlags)],
    ['fast-gateway', () => startPeer('fast-gateway', pin.sut, upstreamUrl, profFlags)],
  ] as const
  for (const [t, start] of starters) {
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
  const gatewayList = [
    ['postern-small', 'small', opts.smallRoutes, 0], ['postern-large', 'large', opts.routes, opts.consumers],
    ['postern-workers', 'workers', opts.smallRoutes, 0], ['postern-h2', 'h2', opts.smallRoutes, 0],
  ] as const
  for (const [t, name, count, consumers] of gatewayList) {
    if (!targets.has(t)) continue
    const gwCores = t === 'postern-workers' ? { admin: cores.admin, proxy: null } : cores
    const gw = await startGateway(name, postern.entry, gwCores, profFlags, gatewayEnv[t], {}, profFlags)
    const admin = new BenchAdmin(gw.adminUrl)
    await fillRoutes(admin, upstreamUrl, count)
    await fillConsumers(admin, consumers)
    gateways.set(t, { gw, admin, routes: count })
    sutPids.push(gw.proxy.proc.pid!)
    targetPid.set(t, gw.proxy.proc.pid!)
    log(`${name} gateway: proxy pid ${gw.proxy.proc.pid} port ${gw.proxy.port}, admin pid ${gw.admin.proc.pid} port ${gw.admin.port}`)
    loadPids.push(gw.admin.proc.pid!)
    urls.set(t, t === 'postern-h2' ? gw.tlsUrl! : gw.proxyUrl)
  }

  // The small gateway's twin proxy, when its plugin rows can be paired at the same moment (rounds.ts)
  const byName = new Map(scenarios.map((s) => [s.name, s]))
  const small = gateways.get('postern-small')
  const wantTwin = small !== undefined && scenarios.some((s) => s.baseline !== undefined && byName.has(s.baseline) && twinPair(s, byName.get(s.baseline)!, { pinned: pin.sut !== null, twin: true }))
  const twin = wantTwin ? await startTwinProxy(small.gw) : undefined
  if (twin) {
    sutPids.push(twin.proc.proc.pid!)
    log(`small gateway's twin proxy: pid ${twin.proc.proc.pid} port ${twin.proc.port}`)
  }

  // Row setup through the admin API, then wait until each proxy applied the last write.
  const requests = new Map<string, Request>()
  for (const s of scenarios) {
    const g = gateways.get(s.target)
    if (s.setup) {
      if (!g) throw new Error(`${s.name}: setup needs a Postern target`)
      requests.set(s.name, await s.setup({ admin: g.admin, upstreamUrl, routeCount: g.routes, unique: uniqueOf(s) }))
    } else requests.set(s.name, s.request ?? { path: '/hello' })
  }
  const mem: MemoryRow[] = []
  for (const { gw, admin, routes } of gateways.values()) {
    await waitForVersion(gw.statusUrl, admin.lastVersion)
    mem.push(await memory(gw, routes, 'idle, after setup'))
  }
  if (twin) await waitForVersion(twin.statusUrl, small!.admin.lastVersion)
  for (const s of scenarios) if (s.protocol !== 'h2') await preflight(urls.get(s.target)!, requests.get(s.name)!)
  for (const s of twin ? scenarios.filter((x) => x.target === 'postern-small') : []) await preflight(twin!.url, requests.get(s.name)!)

  // With pinning, count what other processes took from each core during each run (a shared machine's noise, made visible).
  const owners: CoreOwners[] = pin.sut === null ? [] : [{ core: pin.sut, pids: sutPids }, { core: pin.load!, pids: loadPids, self: true }]
  const contaminated = (r: { foreignSutPct?: number; foreignLoadPct?: number }) => isContaminated(r, opts.maxForeignPct)
  const load = async (s: Scenario, durationSec: number, onTwin = false): Promise<LoadResult> => {
    const foreign = watchForeign(owners)
    // a workers gateway's CPU is its primary's plus its workers' (listed by its /status)
    const pids = onTwin ? [twin!.proc.proc.pid!] : s.target === 'postern-workers' ? [targetPid.get(s.target)!, ...(await workerPids(gateways.get(s.target)!.gw))] : [targetPid.get(s.target)!]
    const ticks = () => pids.reduce((sum, p) => sum + pidTicks(p), 0)
    const t0 = ticks()
    const url = (onTwin ? twin!.url : urls.get(s.target)!) + requests.get(s.name)!.path
    const headers = requests.get(s.name)!.headers ?? {}
    const r =
      s.protocol === 'h2'
        ? await runH2Load({ url, headers, concurrency: opts.connections, sessions: 5, durationSec })
        : await runLoad(gen, { url, headers, connections: opts.connections, durationSec, core: s.target === 'postern-workers' ? null : pin.load })
    const cpuUsPerReq = ((ticks() - t0) * 1e6) / CLK_TCK / r.requests
    return { ...r, cpuUsPerReq, ...foreign() }
  }
  if (opts.warmupSec > 0) {
    for (const s of scenarios) {
      log(`warm-up ${s.name}`)
      await load(s, opts.warmupSec)
      if (twin && s.target === 'postern-small') await load(s, opts.warmupSec, true)
    }
  }
  // Every measured run starts warm: Postern idle for the rows before gave 0.73x in its first same-moment pair
  // against a busy bare proxy, 0.82–0.91x once both were warm (rig, 2026-12-07).
  const measured = async (s: Scenario, onTwin = false): Promise<LoadResult> => {
    if (opts.runWarmupSec > 0) await load(s, opts.runWarmupSec, onTwin)
    return load(s, opts.durationSec, onTwin)
  }
  const rounds = await runRounds(scenarios, measured, { ...opts, pinned: pin.sut !== null, twin: twin !== undefined })
  if (twin) await stop(twin.proc) // it would also apply the small gateway's changes below
  for (const { gw, routes } of gateways.values()) mem.push(await memory(gw, routes, 'after load'))
  // The same reading for the Node yardstick and peers (VmRSS from /proc), so Postern's figure has a floor to compare with.
  for (const [t, name] of [['reference', 'bare undici proxy'], ['fastify-http-proxy', '@fastify/http-proxy'], ['fast-gateway', 'fast-gateway']] as const) {
    const pid = targetPid.get(t)
    if (pid !== undefined) mem.push({ gateway: name, when: 'after load (VmRSS)', rssMB: procRssMB(pid) })
  }

  // Open loop: a fixed request rate, latency from each request's due time, so stalls show in p99/p99.9 (a closed loop hides them).
  const openLoop: OpenLoopRow[] = []
  const openRe = new RegExp(opts.openOnly, 'i')
  for (const s of opts.rate > 0 && opts.openDurationSec > 0 ? scenarios.filter((x) => openRe.test(x.name)) : []) {
    const req = requests.get(s.name)!
    // here every process but the target counts as other on its core, the bench's idle gateways included: a
    // stall of the target is then told apart from a burst of another process (a GC of an idle gateway, say)
    const alone: CoreOwners[] = pin.sut === null ? [] : [{ core: pin.sut, pids: [targetPid.get(s.target)!] }, owners[1]]
    const once = async () => {
      const foreign = watchForeign(alone)
      const r = await runOpenLoop({ url: urls.get(s.target)! + req.path, headers: req.headers ?? {}, rate: opts.rate, durationSec: opts.openDurationSec, connections: opts.connections, core: pin.load })
      return { ...r, ...foreign() }
    }
    // As in the rounds: a run in which other processes took too much of a pinned core is run again (bounded).
    let r = await once()
    for (let a = 0; a < opts.retries && contaminated(r); a++) {
      log(`open loop ${s.name}: other processes took ${r.foreignSutPct}% / ${r.foreignLoadPct}% of the cores; again`)
      r = await once()
    }
    log(`open loop ${s.name} at ${opts.rate} req/s: p50 ${r.p50Ms.toFixed(2)} p99 ${r.p99Ms.toFixed(2)} p99.9 ${r.p999Ms.toFixed(2)} ms, achieved ${Math.round(r.achievedRps)} req/s${r.errors ? ` errors ${r.errors}` : ''}`)
    openLoop.push({ name: s.name, durationSec: opts.openDurationSec, ...r })
    if (contaminated(r)) notes.push(`open loop ${s.name}: other processes took ${r.foreignSutPct}% of the SUT core and ${r.foreignLoadPct}% of the load core; its latencies are contaminated`)
    if (r.errors) notes.push(`open loop ${s.name}: ${r.errors} errors, non-2xx or unanswered requests; treat the row as invalid`)
    if (r.achievedRps < r.rate * 0.98) notes.push(`open loop ${s.name}: achieved ${Math.round(r.achievedRps)} of ${r.rate} req/s; the target (or the generator, see sender lag) could not keep the rate`)
  }

  const changes: ChangeStats[] = []
  if (opts.changes > 0) {
    for (const { gw, admin, routes } of gateways.values()) {
      await waitForVersion(gw.statusUrl, admin.lastVersion)
      log(`admin write → served: ${opts.changes} changes at ${routes} routes`)
      const foreign = watchForeign(owners)
      const c = await measureChanges(admin, gw.proxyUrl, upstreamUrl, routes, gw.name, {
        count: opts.changes, gapMs: opts.changeGapMs, pollMs: opts.changePollMs, timeoutMs: opts.changeTimeoutMs,
      })
      Object.assign(c, foreign())
      log(`  p50 ${c.p50Ms.toFixed(2)} ms p99 ${c.p99Ms.toFixed(2)} ms (admin answer p50 ${c.adminP50Ms.toFixed(2)} ms)`)
      changes.push(c)
    }
  }

  // admin write rows per store, each on a gateway of its own (run when BENCH_ONLY is unset or names them)
  const storeWrites: StoreWriteStats[] = []
  const stores = opts.storeWrites.split(',').map((x) => x.trim()).filter((x): x is StoreName => x === 'sqlite' || x === 'postgres')
  if (!opts.only || new RegExp(opts.only, 'i').test('admin writes')) {
    for (const store of stores) {
      log(`admin writes on ${store}: ${opts.storeWriteCount} writes, then ${opts.changes} changes at ${opts.routes} routes`)
      // the store's own gateway is ours too (until 2026-12-07 its fill of 10,000 routes was counted as other processes' CPU)
      const c = await measureStoreWrites(store, {
        routes: opts.routes, writes: opts.storeWriteCount, entry: postern.entry, cores, upstreamUrl, fill: fillRoutes, log,
        watchCores: (pids) => watchForeign(owners, pids),
        count: opts.changes, gapMs: opts.changeGapMs, pollMs: opts.changePollMs, timeoutMs: opts.changeTimeoutMs,
      })
      log(`  p50 ${c.p50Ms.toFixed(2)} ms p99 ${c.p99Ms.toFixed(2)} ms (admin answer p50 ${c.adminP50Ms.toFixed(2)} ms)`)
      storeWrites.push(c)
    }
  }

  // Cold start last: it replaces the large gateway's proxy with one started from its cache, admin unreachable.
  let coldStart: ColdStart | undefined
  const large = gateways.get('postern-large')
  if (large && opts.coldStart > 0) {
    await waitForVersion(large.gw.statusUrl, large.admin.lastVersion)
    const req = requests.get('postern routes: large table') ?? fillerTarget(large.routes)
    coldStart = await measureColdStart(large.gw, { routes: large.routes, consumers: opts.consumers }, req)
    log(`cold start from the config cache at ${large.routes} routes: listening after ${coldStart.readyMs.toFixed(0)} ms, first 200 after ${coldStart.firstOkMs.toFixed(0)} ms`)
    if (coldStart.memory) mem.push(coldStart.memory)
  }

  const rows = toRows(scenarios, rounds, (s) => gateways.get(s.target)?.routes)
  for (const r of rows) if (r.errors) notes.push(`${r.name}: ${r.errors} errors or non-2xx answers during measurement; treat the row as invalid`)
  for (const r of rows) if (r.foreignSutPct > opts.maxForeignPct || r.foreignLoadPct > opts.maxForeignPct) notes.push(`${r.name}: other processes took a median ${r.foreignSutPct}% of the SUT core and ${r.foreignLoadPct}% of the load core; its figures are contaminated`)
  for (const c of changes) if ((c.foreignSutPct ?? 0) > opts.maxForeignPct || (c.foreignLoadPct ?? 0) > opts.maxForeignPct) notes.push(`write → served at ${c.routes} routes: other processes took ${c.foreignSutPct}% / ${c.foreignLoadPct}% of the cores; contaminated`)
  if (opts.cpuProf) notes.push(`proxy and admin CPU profiles written to ${resolve(opts.cpuProf)} (profiling slows them; do not compare these figures with unprofiled runs)`)
  if (opts.perfMap) notes.push(`Postern's proxies and admins, the reference proxy and the peers ran with --perf-basic-prof (BENCH_PERF_MAP=1): V8 writes a symbol map for every code object it makes, so compare these figures only with runs made the same way`)
  const report: RunReport = {
    startedAt, finishedAt: new Date().toISOString(),
    machine: { ...machineInfo(gen, pin.text), postern: postern.note },
    options: opts, rows, openLoop, changes, storeWrites, memory: mem, coldStart,
    targets: checkTargets(rows, changes, { largeRoutes: opts.routes, largeConsumers: opts.consumers, memory: mem, coldStart, storeWrites }, scenarios),
    notes,
  }
  const files = writeResults(report)
  process.stdout.write(`${files.map((f) => `wrote ${f}`).join('\n')}\n\n`)
  for (const a of [...gateways.values()].map((g) => g.admin)) await a.close()
}

process.on('exit', killAllSync)
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => void stopAll().finally(() => process.exit(130)))

const mode = opts.soak ? runSoak : opts.instructions ? runInstructions : main
mode()
  .then(async () => {
    await stopAll()
    await closePluginRows()
    await closeObservabilityRows()
    process.stdout.write(readFileSync(resolve(import.meta.dirname, `results/latest${opts.soak ? '-soak' : opts.instructions ? '-instructions' : ''}.md`), 'utf8'))
  })
  .catch(async (e) => {
    process.stderr.write(`bench failed: ${e?.stack ?? e}\n`)
    await stopAll()
    process.exitCode = 1
  })
