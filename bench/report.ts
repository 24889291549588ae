// Aggregates rounds into rows, checks the issue's targets, and writes bench/results/<stamp>.{json,md} and latest.md.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { ChangeStats } from './changes.ts'
import type { StoreWriteStats } from './store-writes.ts'
import type { LoadResult } from './load.ts'
import type { OpenLoopResult } from './open-loop.ts'
import { ROOT } from './procs.ts'
import type { Scenario } from './scenarios.ts'
import type { ColdStart } from './startup.ts'
import type { Rounds } from './rounds.ts'

export interface Row {
  name: string
  target: Scenario['target']
  baseline?: string
  /** Routes in the gateway the row ran on (Postern rows only). */
  routes?: number
  /** Medians over the rounds (each round is one short run of the load generator). */
  rps: number
  p50Ms: number
  p99Ms: number
  errors: number
  rpsRatio?: number
  p99Ratio?: number
  /** Median share of the SUT / load core taken by processes the bench did not start (NaN without pinning). */
  foreignSutPct: number
  foreignLoadPct: number
  /** Median CPU µs per request of the target process (the proxy; the upstream for the direct row; nginx master + worker). */
  cpuUsPerReq: number
  /** Median of the paired ratios (row's run ÷ its baseline's run at the same moment or right next to it). */
  cpuRatio?: number
  /** The row's runs alone (its own, and those made next to another row as its baseline); not same-moment runs. */
  rounds: LoadResult[]
  /** [row's run, its baseline's run] per round (rows with a baseline), made at the same moment or adjacent. */
  pairs?: Array<[LoadResult, LoadResult]>
  pairing?: 'same moment' | 'same moment, twin proxies' | 'adjacent'
}

export interface MemoryRow {
  gateway: string
  /** Routes in a Postern gateway; absent for the yardsticks and peers (read from /proc, for comparison). */
  routes?: number
  when: string
  rssMB: number
  heapUsedMB?: number
}

export interface TargetCheck {
  target: string
  measured: string
  pass: boolean | null
}

/** One fixed-rate (open-loop) run of a row, after the closed-loop rounds. */
export interface OpenLoopRow extends OpenLoopResult {
  name: string
  durationSec: number
  foreignSutPct?: number
  foreignLoadPct?: number
}

export interface RunReport {
  startedAt: string
  finishedAt: string
  machine: Record<string, unknown>
  options: Record<string, unknown>
  rows: Row[]
  openLoop: OpenLoopRow[]
  changes: ChangeStats[]
  /** Admin write rows per store (absent in results written before they existed). */
  storeWrites?: StoreWriteStats[]
  memory: MemoryRow[]
  coldStart?: ColdStart
  targets: TargetCheck[]
  notes: string[]
}

/** What checkTargets needs beyond the rows and the changes. */
export interface TargetInputs {
  largeRoutes: number
  largeConsumers: number
  memory: MemoryRow[]
  coldStart?: ColdStart
  /** Admin write rows per store (issue 10's Postgres write → served target). */
  storeWrites?: StoreWriteStats[]
}

/** Peers Postern must beat, as "postern no plugins" req/s over the peer's, through their shared baseline (issue 17). */
const PEER_TARGETS = [['@fastify/http-proxy', 1.5], ['fast-gateway', 2]] as const

/** Middle value (mean of the two middle ones for an even count); NaN for none. */
export function median(xs: number[]): number {
  const s = xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b)
  if (s.length === 0) return NaN
  const h = s.length >> 1
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2
}

export function toRows(scenarios: Scenario[], rounds: Rounds, routesOf: (s: Scenario) => number | undefined): Row[] {
  const rows: Row[] = scenarios
    .filter((s) => rounds.runs.has(s.name))
    .map((s) => {
      const rs = rounds.runs.get(s.name)!
      return {
        name: s.name, target: s.target, baseline: s.baseline, routes: routesOf(s),
        rps: median(rs.map((r) => r.rps)),
        p50Ms: median(rs.map((r) => r.p50Ms)),
        p99Ms: median(rs.map((r) => r.p99Ms)),
        errors: rs.reduce((n, r) => n + r.errors, 0),
        foreignSutPct: median(rs.map((r) => r.foreignSutPct ?? NaN)),
        foreignLoadPct: median(rs.map((r) => r.foreignLoadPct ?? NaN)),
        cpuUsPerReq: median(rs.map((r) => r.cpuUsPerReq ?? NaN)),
        rounds: rs,
        pairs: rounds.pairs.get(s.name),
        pairing: rounds.pairs.has(s.name) ? (rounds.twinned.has(s.name) ? 'same moment, twin proxies' : rounds.sameMoment.has(s.name) ? 'same moment' : 'adjacent') : undefined,
      }
    })
  const byName = new Map(rows.map((r) => [r.name, r]))
  for (const r of rows) {
    const pairs = r.pairs
    if (!pairs?.length) continue
    // Paired: each of the row's runs against its baseline's run at the same moment or right next to it, then the
    // median. Drifts on a shared machine hit both sides of a pair alike, which a ratio of medians would not cancel.
    r.rpsRatio = median(pairs.map(([x, y]) => x.rps / y.rps))
    r.cpuRatio = median(pairs.map(([x, y]) => (x.cpuUsPerReq ?? NaN) / (y.cpuUsPerReq ?? NaN)))
    // two proxies sharing a core answer late for each other: p99 compares the runs alone (medians)
    const b = r.baseline ? byName.get(r.baseline) : undefined
    r.p99Ratio = r.pairing !== undefined && r.pairing !== 'adjacent' ? (b ? r.p99Ms / b.p99Ms : undefined) : median(pairs.map(([x, y]) => x.p99Ms / y.p99Ms))
  }
  return rows
}

/**
 * a's req/s over b's when both share a baseline (Postern no plugins and a peer, both paired with the bare undici
 * proxy): per round, a's paired ratio over b's, then the median.
 */
function viaBaseline(a: Row | undefined, b: Row | undefined): number | undefined {
  if (!a?.pairs || !b?.pairs || a.baseline !== b.baseline) return undefined
  const n = Math.min(a.pairs.length, b.pairs.length)
  const ratio = ([x, y]: [LoadResult, LoadResult]) => x.rps / y.rps
  return n ? median(Array.from({ length: n }, (_, k) => ratio(a.pairs![k]) / ratio(b.pairs![k]))) : undefined
}

/** The issues' targets, from one run. null = not measured in this run. */
export function checkTargets(rows: Row[], changes: ChangeStats[], inputs: TargetInputs, scenarios: readonly { name: string; baseline?: string; minRatio?: number }[] = []): TargetCheck[] {
  const { largeRoutes, largeConsumers } = inputs
  const onPg = (inputs.storeWrites ?? []).find((c) => c.store === 'postgres' && c.routes >= largeRoutes)
  const row = (n: string) => rows.find((r) => r.name === n)
  const largeMem = inputs.memory.find((m) => m.gateway === 'large proxy' && m.when === 'after load')
  const cold = inputs.coldStart
  const plain = row('postern no plugins')
  const large = row('postern routes: large table')
  const ch = changes.find((c) => c.routes >= largeRoutes)
  const fmt = (x: number | undefined, d: number, unit: string) => (x === undefined || Number.isNaN(x) ? 'n/a' : `${x.toFixed(d)}${unit}`)
  const check = (ok: boolean | undefined) => (ok === undefined ? null : ok)
  return [
    {
      target: 'postern no plugins req/s ≥ 0.95× bare undici proxy',
      measured: fmt(plain?.rpsRatio, 3, '×'),
      pass: check(plain?.rpsRatio === undefined ? undefined : plain.rpsRatio >= 0.95),
    },
    {
      target: 'postern no plugins p99 ≤ 1.2× bare undici proxy p99',
      measured: fmt(plain?.p99Ratio, 3, '×'),
      pass: check(plain?.p99Ratio === undefined ? undefined : plain.p99Ratio <= 1.2),
    },
    {
      // issue 17: "CPU µs/request within 10% of the reference" (the paired runs' ratio, as req/s)
      target: 'postern no plugins CPU µs/request ≤ 1.1× bare undici proxy',
      measured: fmt(plain?.cpuRatio, 3, '×'),
      pass: check(plain?.cpuRatio === undefined || Number.isNaN(plain.cpuRatio) ? undefined : plain.cpuRatio <= 1.1),
    },
    {
      target: `${largeRoutes} routes req/s ≥ 0.9× 10 routes`,
      measured: fmt(large?.rpsRatio, 3, '×'),
      pass: check(large?.rpsRatio === undefined ? undefined : large.rpsRatio >= 0.9),
    },
    {
      target: `admin write → served p99 < 50 ms at ${largeRoutes} routes`,
      measured: fmt(ch?.p99Ms, 1, ' ms'),
      pass: check(ch === undefined ? undefined : ch.p99Ms < 50),
    },
    {
      target: `admin write → served p99 < 50 ms on Postgres at ${largeRoutes} routes`,
      measured: fmt(onPg?.p99Ms, 1, ' ms'),
      pass: check(onPg === undefined ? undefined : onPg.p99Ms < 50),
    },
    // issue 17: Postern against the Node gateways users pick, in the same run
    ...PEER_TARGETS.map(([peer, min]) => {
      const x = viaBaseline(plain, row(peer))
      return { target: `postern no plugins req/s ≥ ${min.toFixed(1)}× ${peer}`, measured: fmt(x, 3, '×'), pass: check(x === undefined ? undefined : x >= min) }
    }),
    {
      target: `large proxy RSS after load < 150 MB (${largeRoutes} routes, ${largeConsumers} consumers with key-auth + jwt)`,
      measured: fmt(largeMem?.rssMB, 1, ' MB'),
      pass: check(largeMem === undefined || Number.isNaN(largeMem.rssMB) ? undefined : largeMem.rssMB < 150),
    },
    {
      target: `cold start from the config cache to the first 200 < 1 s (${cold?.routes ?? largeRoutes} routes, admin unreachable)`,
      measured: cold ? (cold.timedOut ? 'no 200' : fmt(cold.firstOkMs, 0, ' ms')) : 'n/a',
      pass: check(cold === undefined ? undefined : !cold.timedOut && cold.firstOkMs < 1000),
    },
    // every other row that declares its target (minRatio of its baseline)
    ...scenarios
      .filter((s) => s.minRatio !== undefined && rows.some((r) => r.name === s.name))
      .map((s) => {
        const r = row(s.name)
        return { target: `${s.name} req/s ≥ ${s.minRatio!.toFixed(2)}× ${s.baseline ?? 'baseline'}`, measured: fmt(r?.rpsRatio, 3, '×'), pass: check(r?.rpsRatio === undefined ? undefined : r.rpsRatio >= s.minRatio!) }
      }),
  ]
}

const n0 = (x: number) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : String(x))
const ms = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : String(x))
const ratio = (x?: number) => (x === undefined ? '' : `${x.toFixed(3)}×`)
const pct = (x: number) => (Number.isNaN(x) ? '–' : x.toFixed(1))
export const verdict = (p: boolean | null) => (p === null ? 'n/a' : p ? 'PASS' : 'FAIL')

export function markdown(r: RunReport): string {
  const m = r.machine
  const o = r.options
  const lines = [
    `# pnpm bench — ${r.startedAt}`,
    '',
    `node ${m.node} · ${m.cpu} · ${m.cores} cores · load generator: ${m.loadGenerator} · nginx: ${m.nginx ?? 'not installed'}`,
    `postern: ${m.postern} · pinning: ${m.pinning} · load average start ${String(m.loadAverageAtStart)} / end ${String(m.loadAverageAtEnd)}`,
    `${o.connections} connections · ${o.rounds} rounds × ${o.durationSec} s per row, interleaved · ratios from pairs with the baseline (same moment: both loaded together on the proxy core; adjacent: the baseline run again right next to the row) · warm-up ${o.warmupSec} s per row`,
    '',
    '| row | routes | req/s | p50 ms | p99 ms | req/s ratio | p99 ratio | baseline | pairing | CPU µs/req (ratio) | errors | other CPU % sut / load core |',
    '|---|---:|---:|---:|---:|---:|---:|---|---|---:|---:|---:|',
    ...r.rows.map((x) => `| ${x.name} | ${x.routes ?? ''} | ${n0(x.rps)} | ${ms(x.p50Ms)} | ${ms(x.p99Ms)} | ${ratio(x.rpsRatio)} | ${ratio(x.p99Ratio)} | ${x.baseline ?? ''} | ${x.pairing ?? ''} | ${pct(x.cpuUsPerReq)}${x.cpuRatio === undefined ? '' : ` (${ratio(x.cpuRatio)})`} | ${x.errors} | ${pct(x.foreignSutPct)} / ${pct(x.foreignLoadPct)} |`),
    '',
    '| admin write → served | changes | p50 ms | p99 ms | max ms | admin answer p50 / p99 ms | timeouts | other CPU % sut / load core |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
    ...r.changes.map((c) => `| at ${c.routes} routes | ${c.changes} | ${ms(c.p50Ms)} | ${ms(c.p99Ms)} | ${ms(c.maxMs)} | ${ms(c.adminP50Ms)} / ${ms(c.adminP99Ms)} | ${c.timeouts} | ${pct(c.foreignSutPct ?? NaN)} / ${pct(c.foreignLoadPct ?? NaN)} |`),
    '',
    '| admin writes by store | routes | writes/s | write → served p50 ms | p99 ms | max ms | admin answer p50 / p99 ms | timeouts | other CPU % sut / load core |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...(r.storeWrites ?? []).map((c) => `| ${c.store} | ${c.routes} | ${n0(c.writesPerSec)} | ${ms(c.p50Ms)} | ${ms(c.p99Ms)} | ${ms(c.maxMs)} | ${ms(c.adminP50Ms)} / ${ms(c.adminP99Ms)} | ${c.timeouts} | ${pct(c.foreignSutPct ?? NaN)} / ${pct(c.foreignLoadPct ?? NaN)} |`),
    '',
    ...(r.openLoop.length
      ? [
          `| open loop (fixed rate, latency from each request's due time) | rate req/s | achieved req/s | p50 ms | p99 ms | p99.9 ms | max ms | errors | sender lag p99 ms | other CPU % sut / load core |`,
          '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
          ...r.openLoop.map((x) => `| ${x.name} | ${n0(x.rate)} | ${n0(x.achievedRps)} | ${ms(x.p50Ms)} | ${ms(x.p99Ms)} | ${ms(x.p999Ms)} | ${ms(x.maxMs)} | ${x.errors} | ${ms(x.sendLagP99Ms)} | ${pct(x.foreignSutPct ?? NaN)} / ${pct(x.foreignLoadPct ?? NaN)} |`),
          '',
        ]
      : []),
    ...(r.coldStart
      ? [
          '| cold start from the config cache (admin unreachable) | routes | consumers | spawn → listening ms | spawn → first 200 ms |',
          '|---|---:|---:|---:|---:|',
          `| large proxy | ${r.coldStart.routes} | ${r.coldStart.consumers} | ${ms(r.coldStart.readyMs)} | ${r.coldStart.timedOut ? 'no 200' : ms(r.coldStart.firstOkMs)} |`,
          '',
        ]
      : []),
    '| proxy memory | routes | when | RSS MB | heap used MB |',
    '|---|---:|---|---:|---:|',
    ...r.memory.map((x) => `| ${x.gateway} | ${x.routes ?? ''} | ${x.when} | ${x.rssMB.toFixed(1)} | ${x.heapUsedMB?.toFixed(1) ?? ''} |`),
    '',
    '| target | measured | result |',
    '|---|---:|---|',
    ...r.targets.map((t) => `| ${t.target} | ${t.measured} | ${verdict(t.pass)} |`),
    ...(r.notes.length ? ['', ...r.notes.map((n) => `- ${n}`)] : []),
    '',
  ]
  return lines.join('\n')
}

/** Writes <stamp><suffix>.json and .md (kept) and latest<suffix>.md (overwritten); returns the paths. */
export function writeResultFiles(startedAt: string, json: unknown, md: string, suffix = ''): string[] {
  const dir = join(ROOT, 'bench/results')
  mkdirSync(dir, { recursive: true })
  const stamp = startedAt.replace(/[:.]/g, '-')
  const files = [join(dir, `${stamp}${suffix}.json`), join(dir, `${stamp}${suffix}.md`), join(dir, `latest${suffix}.md`)]
  writeFileSync(files[0], JSON.stringify(json, null, 2) + '\n')
  writeFileSync(files[1], md)
  writeFileSync(files[2], md)
  return files
}

export function writeResults(r: RunReport): string[] {
  return writeResultFiles(r.startedAt, r, markdown(r))
}
