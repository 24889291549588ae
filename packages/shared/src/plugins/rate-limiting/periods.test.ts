// UTC window starts (Kong's timestamp.get_timestamps), resets on Kong's period lengths, and local counters.
import { describe, expect, it } from 'vitest'
import { resetIn, windowStart } from './periods.ts'
import { LocalCounters } from './local.ts'

const at = (...p: [number, number, number, number?, number?, number?]) => Date.UTC(...p) / 1000

describe('rate-limiting windows', () => {
  it('starts each window on its UTC boundary', () => {
    const now = at(2026, 6, 15, 13, 45, 30)
    expect(windowStart('second', now)).toBe(now)
    expect(windowStart('minute', now)).toBe(at(2026, 6, 15, 13, 45, 0))
    expect(windowStart('hour', now)).toBe(at(2026, 6, 15, 13, 0, 0))
    expect(windowStart('day', now)).toBe(at(2026, 6, 15))
    expect(windowStart('month', now)).toBe(at(2026, 6, 1))
    expect(windowStart('year', now)).toBe(at(2026, 0, 1))
  })

  it('moves month and year windows at calendar boundaries, forwards and backwards', () => {
    expect(windowStart('month', at(2026, 0, 31, 23, 59, 59))).toBe(at(2026, 0, 1))
    expect(windowStart('month', at(2026, 1, 1))).toBe(at(2026, 1, 1))
    expect(windowStart('year', at(2027, 0, 1))).toBe(at(2027, 0, 1))
    expect(windowStart('year', at(2026, 11, 31, 23, 59, 59))).toBe(at(2026, 0, 1))
  })

  it("counts RateLimit-Reset on Kong's lengths, never below 1", () => {
    expect(resetIn('minute', at(2026, 0, 1, 0, 0, 59))).toBe(1)
    expect(resetIn('hour', at(2026, 0, 1, 0, 30, 0))).toBe(1800)
    expect(resetIn('month', at(2026, 0, 31))).toBe(1) // a 31st day is past Kong's 30-day month
  })
})

describe('LocalCounters', () => {
  it('counts admitted requests only and sweeps counters whose windows all ended', () => {
    const c = new LocalCounters(['second', 'minute'])
    const now = at(2026, 0, 1, 0, 0, 10)
    expect([...c.hit('a', now, [1, 5])]).toEqual([0, 0])
    expect([...c.hit('a', now, [1, 5])]).toEqual([1, 1]) // refused: not counted
    expect([...c.hit('a', now + 1, [1, 5])]).toEqual([0, 1])
    c.sweep(now + 30)
    expect(c.counters.size).toBe(1)
    c.sweep(now + 60)
    expect(c.counters.size).toBe(0)
  })
})
