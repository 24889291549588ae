// The measured rounds: every row in every round, each row with a baseline measured right next to a fresh run of
// that baseline (the baseline first in rounds 1, 3, 5…, the row first in the others), so a ratio compares
// moments seconds apart rather than a round apart: this host drifts by 20–40 % between windows ~40 s apart.
import type { LoadResult } from './load.ts'
import { log } from './options.ts'
import type { Scenario } from './scenarios.ts'

export interface RoundsSpec {
  rounds: number
  retries: number
  maxForeignPct: number
}

export interface Rounds {
  /** Every run of each row, its own and those it made as another row's baseline. */
  runs: Map<string, LoadResult[]>
  /** Per row with a baseline: [row's run, adjacent baseline run] for each round. */
  pairs: Map<string, Array<[LoadResult, LoadResult]>>
}

export const contaminated = (r: { foreignSutPct?: number; foreignLoadPct?: number }, maxPct: number): boolean =>
  (r.foreignSutPct ?? 0) > maxPct || (r.foreignLoadPct ?? 0) > maxPct

export async function runRounds(scenarios: Scenario[], load: (s: Scenario) => Promise<LoadResult>, spec: RoundsSpec): Promise<Rounds> {
  const byName = new Map(scenarios.map((s) => [s.name, s]))
  const runs = new Map<string, LoadResult[]>()
  const pairs = new Map<string, Array<[LoadResult, LoadResult]>>()
  for (let k = 0; k < spec.rounds; k++) {
    const tag = `round ${k + 1}/${spec.rounds}`
    // A run in which other processes took more than maxForeignPct of a pinned core is run again (bounded).
    const measure = async (s: Scenario, why: string): Promise<LoadResult> => {
      let r = await load(s)
      for (let a = 0; a < spec.retries && contaminated(r, spec.maxForeignPct); a++) {
        log(`${tag} ${s.name}: other processes took ${r.foreignSutPct}% / ${r.foreignLoadPct}% of the cores; again`)
        r = await load(s)
      }
      log(`${tag} ${s.name}${why}: ${Math.round(r.rps)} req/s p50 ${r.p50Ms.toFixed(2)} p99 ${r.p99Ms.toFixed(2)} ms ${r.cpuUsPerReq!.toFixed(1)} µs CPU/req${r.errors ? ` errors ${r.errors}` : ''} · other CPU on cores: sut ${r.foreignSutPct ?? '?'}% load ${r.foreignLoadPct ?? '?'}%`)
      runs.set(s.name, [...(runs.get(s.name) ?? []), r])
      return r
    }
    // every round starts one row later, so no row always follows the same one
    for (let j = 0; j < scenarios.length; j++) {
      const s = scenarios[(j + k) % scenarios.length]
      const b = s.baseline === undefined ? undefined : byName.get(s.baseline)
      if (b === undefined) {
        await measure(s, '')
        continue
      }
      const why = ` (paired with ${s.name})`
      let row: LoadResult
      let base: LoadResult
      if (k % 2 === 0) {
        base = await measure(b, why)
        row = await measure(s, '')
      } else {
        row = await measure(s, '')
        base = await measure(b, why)
      }
      pairs.set(s.name, [...(pairs.get(s.name) ?? []), [row, base]])
    }
  }
  return { runs, pairs }
}
