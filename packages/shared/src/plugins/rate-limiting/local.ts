// The `local` policy: exact in-process counters (Kong's shm counters), one small record per identifier.
import type { Period } from './schema.ts'
import type { Policy } from './policy.ts'
import { exceeded } from './policy.ts'
import { windowStart } from './periods.ts'

// Longest real length of a window, so a counter is swept only once every window it holds has ended.
const SPAN: Record<Period, number> = { second: 1, minute: 60, hour: 3600, day: 86_400, month: 31 * 86_400, year: 366 * 86_400 }
const SWEEP_MS = 60_000

interface Counter {
  starts: Float64Array
  counts: Float64Array
  /** Epoch second after which every window of this counter has ended. */
  until: number
}

/**
 * The counters of one scope (Kong's key: route id, service id, then identifier). They outlive runtime
 * rebuilds, so editing an unrelated entity does not reset anyone's usage.
 */
export class LocalCounters {
  readonly counters = new Map<string, Counter>()
  private readonly usage: number[]

  constructor(readonly periods: readonly Period[]) {
    this.usage = periods.map(() => 0)
  }

  /** Usage before this request per period; the request is counted unless a period is at its limit. */
  hit(identifier: string, nowSec: number, limits: readonly number[]): number[] {
    const n = this.periods.length
    let c = this.counters.get(identifier)
    if (!c) this.counters.set(identifier, (c = { starts: new Float64Array(n).fill(-1), counts: new Float64Array(n), until: 0 }))
    const usage = this.usage
    for (let i = 0; i < n; i++) {
      const start = windowStart(this.periods[i], nowSec)
      if (c.starts[i] !== start) {
        c.starts[i] = start
        c.counts[i] = 0
        const end = start + SPAN[this.periods[i]]
        if (end > c.until) c.until = end
      }
      usage[i] = c.counts[i]
    }
    if (!exceeded(limits, usage)) for (let i = 0; i < n; i++) c.counts[i]++
    return usage
  }

  /** Drop the counters whose windows have all ended. */
  sweep(nowSec: number): void {
    for (const [k, c] of this.counters) if (c.until <= nowSec) this.counters.delete(k)
  }
}

// One table per scope and period set for the whole process, as Kong's shared dictionary is per node.
const scopes = new Map<string, LocalCounters>()
let sweeper: NodeJS.Timeout | undefined

export function localCounters(scope: string, periods: readonly Period[]): LocalCounters {
  const key = `${scope}|${periods.join(',')}`
  let c = scopes.get(key)
  if (!c) scopes.set(key, (c = new LocalCounters(periods)))
  sweeper ??= setInterval(() => {
    const now = Math.floor(Date.now() / 1000)
    for (const s of scopes.values()) s.sweep(now)
  }, SWEEP_MS).unref()
  return c
}

export function localPolicy(scope: string, periods: readonly Period[], limits: readonly number[]): Policy {
  const counters = localCounters(scope, periods)
  return { hit: (_ctx, identifier, nowSec) => counters.hit(identifier, nowSec, limits) }
}
