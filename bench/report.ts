// Aggregates rounds into rows, checks the issue's targets, and writes bench/results/<stamp>.{json,md} and latest.md.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { ChangeStats } from './changes.ts'
import type { StoreWriteStats } from './store-writes.ts'
import type { LoadResult } from './load.ts'
import { ROOT } from './procs.ts'
import type { Scenario } from './scenarios.ts'

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
  cpuRatio?: number
  rounds: LoadResult[]
}

export interface MemoryRow {
  gateway: string
  routes: number
  when: string
  rssMB: number
  heapUsedMB?: number
}

export interface TargetCheck {
  target: string
  measured: string
  pass: boolean | null
}

export interface RunReport {
  startedAt: string
  finishedAt: string
  machine: Record<string, unknown>
  options: Record<string, unknown>
  rows: Row[]
  changes: ChangeStats[]
  /** Admin write rows per store (absent in results written before they existed). */
  storeWrites?: StoreWriteStats[]
  memory: MemoryRow[]
  targets: TargetCheck[]
  notes: string[]
}

/** Middle value (mean of the two middle ones for an even count); NaN for none. */
function median(xs: number[]): number {
  const s = xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b)
  if (s.length === 0) return NaN
  const h = s.length >> 1
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2
}

export function toRows(scenarios: Scenario[], rounds: Map<string, LoadResult[]>, routesOf: (s: Scenario) => number | undefined): Row[] {
  const rows: Row[] = scenarios
    .filter((s) => rounds.has(s.name))
    .map((s) => {
      const rs = rounds.get(s.name)!
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
      }
    })
  const byName = new Map(rows.map((r) => [r.name, r]))
  for (const r of rows) {
    const b = r.baseline ? byName.get(r.baseline) : undefined
    if (!b) continue
    // Paired: round k of the row against round k of its baseline (measured moments apart), then the median.
    // Slow drifts on a shared machine hit both sides of a pair alike, which a ratio of medians would not cancel.
    const n = Math.min(r.rounds.length, b.rounds.length)
    const pairs = Array.from({ length: n }, (_, k) => [r.rounds[k], b.rounds[k]] as const)
    r.rpsRatio = median(pairs.map(([x, y]) => x.rps / y.rps))
    r.p99Ratio = median(pairs.map(([x, y]) => x.p99Ms / y.p99Ms))
    r.cpuRatio = r.cpuUsPerReq / b.cpuUsPerReq
  }
  return rows
}

/** The issue's targets, from one run's ratios. null = not measured in this run. */
export function checkTargets(rows: Row[], changes: ChangeStats[], largeRoutes: number, storeWrites: StoreWriteStats[] = [], scenarios: readonly { name: string; baseline?: string; minRatio?: number }[] = []): TargetCheck[] {
  const onPg = storeWrites.find((c) => c.store === 'postgres' && c.routes >= largeRoutes)
  const row = (n: string) => rows.find((r) => r.name === n)
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
    // plugin targets of issues 4 and 6, as ratios to no plugins in the same run
    ...(['postern jwt RS256', 'postern phantom-token (cache hits)'] as const).map((name) => {
      const r = row(name)
      return { target: `${name} req/s ≥ 0.90× no plugins`, measured: fmt(r?.rpsRatio, 3, '×'), pass: check(r?.rpsRatio === undefined ? undefined : r.rpsRatio >= 0.9) }
    }),
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
const verdict = (p: boolean | null) => (p === null ? 'n/a' : p ? 'PASS' : 'FAIL')

export function markdown(r: RunReport): string {
  const m = r.machine
  const o = r.options
  const lines = [
    `# pnpm bench — ${r.startedAt}`,
    '',
    `node ${m.node} · ${m.cpu} · ${m.cores} cores · load generator: ${m.loadGenerator} · nginx: ${m.nginx ?? 'not installed'}`,
    `postern: ${m.postern} · pinning: ${m.pinning} · load average start ${String(m.loadAverageAtStart)} / end ${String(m.loadAverageAtEnd)}`,
    `${o.connections} connections · ${o.rounds} rounds × ${o.durationSec} s per row, interleaved · warm-up ${o.warmupSec} s per row`,
    '',
    '| row | routes | req/s | p50 ms | p99 ms | req/s ratio | p99 ratio | baseline | CPU µs/req (ratio) | errors | other CPU % sut / load core |',
    '|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|',
    ...r.rows.map((x) => `| ${x.name} | ${x.routes ?? ''} | ${n0(x.rps)} | ${ms(x.p50Ms)} | ${ms(x.p99Ms)} | ${ratio(x.rpsRatio)} | ${ratio(x.p99Ratio)} | ${x.baseline ?? ''} | ${pct(x.cpuUsPerReq)}${x.cpuRatio === undefined ? '' : ` (${ratio(x.cpuRatio)})`} | ${x.errors} | ${pct(x.foreignSutPct)} / ${pct(x.foreignLoadPct)} |`),
    '',
    '| admin write → served | changes | p50 ms | p99 ms | max ms | admin answer p50 / p99 ms | timeouts | other CPU % sut / load core |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
    ...r.changes.map((c) => `| at ${c.routes} routes | ${c.changes} | ${ms(c.p50Ms)} | ${ms(c.p99Ms)} | ${ms(c.maxMs)} | ${ms(c.adminP50Ms)} / ${ms(c.adminP99Ms)} | ${c.timeouts} | ${pct(c.foreignSutPct ?? NaN)} / ${pct(c.foreignLoadPct ?? NaN)} |`),
    '',
    '| admin writes by store | routes | writes/s | write → served p50 ms | p99 ms | max ms | admin answer p50 / p99 ms | timeouts | other CPU % sut / load core |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...(r.storeWrites ?? []).map((c) => `| ${c.store} | ${c.routes} | ${n0(c.writesPerSec)} | ${ms(c.p50Ms)} | ${ms(c.p99Ms)} | ${ms(c.maxMs)} | ${ms(c.adminP50Ms)} / ${ms(c.adminP99Ms)} | ${c.timeouts} | ${pct(c.foreignSutPct ?? NaN)} / ${pct(c.foreignLoadPct ?? NaN)} |`),
    '',
    '| proxy memory | routes | when | RSS MB | heap used MB |',
    '|---|---:|---|---:|---:|',
    ...r.memory.map((x) => `| ${x.gateway} | ${x.routes} | ${x.when} | ${x.rssMB.toFixed(1)} | ${x.heapUsedMB?.toFixed(1) ?? ''} |`),
    '',
    '| target | measured | result |',
    '|---|---:|---|',
    ...r.targets.map((t) => `| ${t.target} | ${t.measured} | ${verdict(t.pass)} |`),
    ...(r.notes.length ? ['', ...r.notes.map((n) => `- ${n}`)] : []),
    '',
  ]
  return lines.join('\n')
}

/** Writes <stamp>.json and <stamp>.md (kept) and latest.md (overwritten); returns the paths. */
export function writeResults(r: RunReport): string[] {
  const dir = join(ROOT, 'bench/results')
  mkdirSync(dir, { recursive: true })
  const stamp = r.startedAt.replace(/[:.]/g, '-')
  const md = markdown(r)
  const files = [join(dir, `${stamp}.json`), join(dir, `${stamp}.md`), join(dir, 'latest.md')]
  writeFileSync(files[0], JSON.stringify(r, null, 2) + '\n')
  writeFileSync(files[1], md)
  writeFileSync(files[2], md)
  return files
}
