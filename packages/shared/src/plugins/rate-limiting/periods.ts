// Fixed windows in UTC (Kong's timestamp.get_timestamps) and each period's length (Kong's expiration.lua).
import type { Period } from './schema.ts'

/** Seconds per period; a "month" is 30 days for TTLs and RateLimit-Reset, as in Kong. */
export const EXPIRATION: Record<Period, number> = { second: 1, minute: 60, hour: 3600, day: 86_400, month: 2_592_000, year: 31_536_000 }

// Calendar months and years need a Date; their boundaries are cached so a request allocates nothing.
let monthFrom = 0
let monthTo = -1
let yearFrom = 0
let yearTo = -1

function calendar(nowSec: number): void {
  const d = new Date(nowSec * 1000)
  const y = d.getUTCFullYear()
  const m = d.getUTCMonth()
  monthFrom = Date.UTC(y, m, 1) / 1000
  monthTo = Date.UTC(y, m + 1, 1) / 1000
  yearFrom = Date.UTC(y, 0, 1) / 1000
  yearTo = Date.UTC(y + 1, 0, 1) / 1000
}

/** Start (epoch seconds, UTC) of the window of `period` that contains `nowSec` (whole seconds). */
export function windowStart(period: Period, nowSec: number): number {
  switch (period) {
    case 'second':
      return nowSec
    case 'minute':
      return nowSec - (nowSec % 60)
    case 'hour':
      return nowSec - (nowSec % 3600)
    case 'day':
      return nowSec - (nowSec % 86_400)
    case 'month':
      if (nowSec < monthFrom || nowSec >= monthTo) calendar(nowSec)
      return monthFrom
    case 'year':
      if (nowSec < yearFrom || nowSec >= yearTo) calendar(nowSec)
      return yearFrom
  }
}

/** RateLimit-Reset: seconds left in the window, counted on Kong's period lengths, at least 1. */
export function resetIn(period: Period, nowSec: number): number {
  return Math.max(1, EXPIRATION[period] - (nowSec - windowStart(period, nowSec)))
}

// Response headers in lower case, the form node and undici hand upstream headers over in (one key per header).
export const X_LIMIT = { second: 'x-ratelimit-limit-second', minute: 'x-ratelimit-limit-minute', hour: 'x-ratelimit-limit-hour', day: 'x-ratelimit-limit-day', month: 'x-ratelimit-limit-month', year: 'x-ratelimit-limit-year' } as const
export const X_REMAINING = { second: 'x-ratelimit-remaining-second', minute: 'x-ratelimit-remaining-minute', hour: 'x-ratelimit-remaining-hour', day: 'x-ratelimit-remaining-day', month: 'x-ratelimit-remaining-month', year: 'x-ratelimit-remaining-year' } as const
