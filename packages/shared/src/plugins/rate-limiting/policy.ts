// What every rate-limiting policy does per request, and the compiled instance the handler works from.
import type { PdkLogger, PluginContext } from '../../pdk/index.ts'
import type { Period, RateLimitingConfig } from './schema.ts'

/**
 * A counting back end. `hit` returns the usage before this request for each configured period (in the
 * order of `Compiled.periods`) and counts the request; it may return a reused array (read it at once).
 * Rejects (or throws) when its store cannot be reached, which `fault_tolerant` then decides about.
 */
export interface Policy {
  hit(ctx: PluginContext, identifier: string, nowSec: number): number[] | Promise<number[]>
}

export interface Compiled {
  conf: RateLimitingConfig
  /** Configured periods, shortest first, and their limits. */
  periods: Period[]
  limits: number[]
  /** Kong's counter scope: the instance's service and route ids, the empty UUID when unset. */
  serviceId: string
  routeId: string
  /** Lower-cased `header_name`. */
  headerName: string | null
  policy: Policy
  /** Precomputed for the hot path: each period's length, limits as header values, response header names. */
  windows: number[]
  limitStrings: string[]
  headerNames: string[]
  /** The last RateLimit-Reset string, for the second and period it was computed for. */
  resetMemo: { sec: number; period: number; value: string }
}

export const EMPTY_UUID = '00000000-0000-0000-0000-000000000000'

/** Is any configured period already at its limit, given the usage before this request? */
export function exceeded(limits: readonly number[], usage: readonly number[]): boolean {
  for (let i = 0; i < limits.length; i++) if (limits[i] - usage[i] <= 0) return true
  return false
}

// A store that is down fails every request; one line per interval and key says so, with the count.
const FAILURE_LOG_INTERVAL_MS = 10_000
const failures = new Map<string, { last: number; suppressed: number }>()

/** Log a policy failure at most once per interval for `key` (a Redis address, a store), counting the rest. */
export function logFailure(log: PdkLogger, key: string, message: string, err: unknown, now = Date.now()): void {
  const f = failures.get(key)
  if (f && now - f.last < FAILURE_LOG_INTERVAL_MS) {
    f.suppressed++
    return
  }
  const suppressed = f?.suppressed ?? 0
  failures.set(key, { last: now, suppressed: 0 })
  log.error(message, { error: err instanceof Error ? err.message : String(err), ...(suppressed ? { failures_since_last_log: suppressed } : {}) })
}
