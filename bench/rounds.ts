// The measured rounds: every row runs alone once per round (its req/s, latency and CPU figures), rows starting one
// later each round. A row's ratio to its baseline comes from runs made at the same moment or seconds apart, as
// this host drifts by 20–40 % between windows ~40 s apart, and by up to 2× in CPU per request within a minute
// (seen 2026-12-07, with no other process on the cores):
// - same moment, when the row and its baseline are different processes on the pinned proxy core: both are
//   loaded together (one load generator each), so they share the core, and whatever the host does hits both;
//   their req/s ratio is their ratio of work per core;
// - same moment on twin proxies, when the row and its baseline are routes of the small gateway and the bench
//   started its twin (a second proxy following the same admin, on the same core): one runs on each proxy, then
//   the other way round, every round (the two processes and the two load generators differ by a few per cent:
//   a row paired one way only read 1.006× and 0.923× in two rounds);
// - otherwise (an unpinned or HTTP/2 row, the direct row): the baseline runs again right next to the row, first
//   in rounds 1, 3, 5…, second in the others.
import type { LoadResult } from './load.ts'
import { log } from './options.ts'
import type { Scenario, Target } from './scenarios.ts'

export interface RoundsSpec {
  rounds: number
  retries: number
  maxForeignPct: number
  /** Whether proxies are pinned to one core (same-moment pairs need it). */
  pinned: boolean
  /** Whether the small gateway has a twin proxy (same-moment pairs of its plugin rows). */
  twin: boolean
}

export interface Rounds {
  /** Each row's runs alone (its own, and those made next to another row as its baseline). */
  runs: Map<string, LoadResult[]>
  /** Per row with a baseline, per round: [row's run, baseline's run], at the same moment or adjacent. */
  pairs: Map<string, Array<[LoadResult, LoadResult]>>
  /** Rows whose pairs ran at the same moment, and of those the ones on twin proxies. */
  sameMoment: Set<string>
  twinned: Set<string>
}

/** Loads a row's target, or with `onTwin` the twin of the small gateway. */
export type Load = (s: Scenario, onTwin?: boolean) => Promise<LoadResult>

/** Targets that are one process each on the pinned proxy core. */
const ONE_CORE = new Set<Target>(['reference', 'nginx', 'fastify-http-proxy', 'fast-gateway', 'postern-small', 'postern-large'])

export function sameMomentPair(s: Scenario, b: Scenario, pinned: boolean): boolean {
  return pinned && s.target !== b.target && ONE_CORE.has(s.target) && ONE_CORE.has(b.target) && !s.protocol && !b.protocol
}

/** A row and its baseline both on the small gateway (plugin rows against no plugins): pairs on twin proxies. */
export function twinPair(s: Scenario, b: Scenario, spec: Pick<RoundsSpec, 'pinned' | 'twin'>): boolean {
  return spec.pinned && spec.twin && s.target === 'postern-small' && b.target === 'postern-small' && !s.protocol && !b.protocol
}

export const contaminated = (r: { foreignSutPct?: number; foreignLoadPct?: number }, maxPct: number): boolean =>
  (r.foreignSutPct ?? 0) > maxPct || (r.foreignLoadPct ?? 0) > maxPct

const line = (r: LoadResult) =>
  `${Math.round(r.rps)} req/s p50 ${r.p50Ms.toFixed(2)} p99 ${r.p99Ms.toFixed(2)} ms ${r.cpuUsPerReq!.toFixed(1)} µs CPU/req${r.errors ? ` errors ${r.errors}` : ''} · other CPU on cores: sut ${r.foreignSutPct ?? '?'}% load ${r.foreignLoadPct ?? '?'}%`

export async function runRounds(scenarios: Scenario[], load: Load, spec: RoundsSpec): Promise<Rounds> {
  const byName = new Map(scenarios.map((s) => [s.name, s]))
  const runs = new Map<string, LoadResult[]>()
  const pairs = new Map<string, Array<[LoadResult, LoadResult]>>()
  const sameMoment = new Set<string>()
  const twinned = new Set<string>()
  const push = <T>(m: Map<string, T[]>, k: string, v: T) => m.set(k, [...(m.get(k) ?? []), v])
  for (let k = 0; k < spec.rounds; k++) {
    const tag = `round ${k + 1}/${spec.rounds}`
    // A run in which other processes took more than maxForeignPct of a pinned core is run again (bounded).
    const retried = async <T extends LoadResult | LoadResult[]>(what: string, run: () => Promise<T>): Promise<T> => {
      let r = await run()
      const dirty = (x: T) => (Array.isArray(x) ? x : [x]).some((y) => contaminated(y, spec.maxForeignPct))
      for (let a = 0; a < spec.retries && dirty(r); a++) {
        log(`${tag} ${what}: other processes took too much of the cores; again`)
        r = await run()
      }
      return r
    }
    const alone = async (s: Scenario, why = ''): Promise<LoadResult> => {
      const r = await retried(s.name, () => load(s))
      log(`${tag} ${s.name}${why}: ${line(r)}`)
      push(runs, s.name, r)
      return r
    }
    for (let j = 0; j < scenarios.length; j++) {
      const s = scenarios[(j + k) % scenarios.length]
      const b = s.baseline === undefined ? undefined : byName.get(s.baseline)
      if (b === undefined) {
        await alone(s)
      } else if (sameMomentPair(s, b, spec.pinned)) {
        const [row, base] = await retried(`${s.name} with ${b.name}`, () => Promise.all([load(s), load(b)]))
        log(`${tag} ${s.name} with ${b.name} at the same moment: ${Math.round(row.rps)} / ${Math.round(base.rps)} req/s (${(row.rps / base.rps).toFixed(3)}×), ${row.cpuUsPerReq!.toFixed(1)} / ${base.cpuUsPerReq!.toFixed(1)} µs CPU/req`)
        push(pairs, s.name, [row, base])
        sameMoment.add(s.name)
        await alone(s)
      } else if (twinPair(s, b, spec)) {
        // both ways round in every round (the order alternating), so that neither proxy nor load generator is favoured
        for (const rowOnTwin of k % 2 === 0 ? [false, true] : [true, false]) {
          const where = rowOnTwin ? 'twin / first proxy' : 'first / twin proxy'
          const [row, base] = await retried(`${s.name} with ${b.name}`, () => Promise.all([load(s, rowOnTwin), load(b, !rowOnTwin)]))
          log(`${tag} ${s.name} with ${b.name} at the same moment (${where}): ${Math.round(row.rps)} / ${Math.round(base.rps)} req/s (${(row.rps / base.rps).toFixed(3)}×), ${row.cpuUsPerReq!.toFixed(1)} / ${base.cpuUsPerReq!.toFixed(1)} µs CPU/req`)
          push(pairs, s.name, [row, base])
        }
        sameMoment.add(s.name)
        twinned.add(s.name)
        await alone(s)
      } else {
        const why = ` (next to ${s.name})`
        let row: LoadResult
        let base: LoadResult
        if (k % 2 === 0) {
          base = await alone(b, why)
          row = await alone(s)
        } else {
          row = await alone(s)
          base = await alone(b, why)
        }
        push(pairs, s.name, [row, base])
      }
    }
  }
  return { runs, pairs, sameMoment, twinned }
}
