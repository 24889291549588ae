// Unit tests of the balancing algorithms on plain peers: smooth weighted round-robin, the hash ring's
// stability, least-connections and latency, and how each avoids the previous peer on a retry.
import { describe, expect, it } from 'vitest'
import { HashRing, LeastConnections, Latency, RoundRobin, observeLatency, type Peer } from './algorithms.ts'

function peer(key: string, weight = 100): Peer & { up: boolean } {
  return { key, weight, active: 0, ewma: 0, current: 0, up: true, available() { return this.up } }
}

const count = (picks: (Peer | null)[]) => picks.reduce<Record<string, number>>((m, p) => ((m[p?.key ?? 'none'] = (m[p?.key ?? 'none'] ?? 0) + 1), m), {})

describe('RoundRobin', () => {
  it('spreads exactly by weight and never sends a heavy peer a long run', () => {
    const ps = [peer('a', 5), peer('b', 1), peer('c', 1)]
    const rr = new RoundRobin()
    const picks = Array.from({ length: 70 }, () => rr.pick(ps, undefined, null))
    expect(count(picks)).toEqual({ a: 50, b: 10, c: 10 })
    // nginx's smooth sequence for 5:1:1 is a a b a c a a
    expect(picks.slice(0, 7).map((p) => p!.key).join('')).toBe('aabacaa')
  })

  it('skips weight 0 and unavailable peers, and returns null when none is left', () => {
    const ps = [peer('a'), peer('b', 0), peer('c')]
    ps[2].up = false
    const rr = new RoundRobin()
    expect(count(Array.from({ length: 5 }, () => rr.pick(ps, undefined, null)))).toEqual({ a: 5 })
    ps[0].up = false
    expect(rr.pick(ps, undefined, null)).toBe(null)
  })

  it('avoids the previous peer on a retry, unless it is the only one', () => {
    const ps = [peer('a'), peer('b')]
    const rr = new RoundRobin()
    for (let i = 0; i < 10; i++) expect(rr.pick(ps, undefined, ps[0])!.key).toBe('b')
    expect(rr.pick([ps[0]], undefined, ps[0])!.key).toBe('a')
  })
})

describe('HashRing', () => {
  it('maps a key to the same peer every time', () => {
    const ps = [peer('10.0.0.1:80'), peer('10.0.0.2:80'), peer('10.0.0.3:80')]
    const ring = new HashRing(ps, 10000)
    for (let i = 0; i < 50; i++) expect(ring.pick(ps, `k${i}`, null)).toBe(ring.pick(ps, `k${i}`, null))
  })

  it('moves only about a quarter of the keys, all to the new peer, when a fourth peer is added', () => {
    const ps = [peer('10.0.0.1:80'), peer('10.0.0.2:80'), peer('10.0.0.3:80')]
    const before = new HashRing(ps, 10000)
    const more = [...ps, peer('10.0.0.4:80')]
    const after = new HashRing(more, 10000)
    let moved = 0
    for (let i = 0; i < 2000; i++) {
      const a = before.pick(ps, `key-${i}`, null)!
      const b = after.pick(more, `key-${i}`, null)!
      if (a.key !== b.key) {
        moved++
        expect(b.key).toBe('10.0.0.4:80')
      }
    }
    expect(moved / 2000).toBeGreaterThan(0.15)
    expect(moved / 2000).toBeLessThan(0.35)
  })

  it('walks on to the next available peer when the owner is down or being retried', () => {
    const ps = [peer('10.0.0.1:80'), peer('10.0.0.2:80')]
    const ring = new HashRing(ps, 10000)
    const owner = ring.pick(ps, 'user', null)!
    const other = ps.find((p) => p !== owner)!
    expect(ring.pick(ps, 'user', owner)).toBe(other)
    ;(owner as any).up = false
    expect(ring.pick(ps, 'user', null)).toBe(other)
  })

  it('falls back to round-robin without a hash value', () => {
    const ps = [peer('a'), peer('b')]
    const ring = new HashRing(ps, 10000)
    expect(count(Array.from({ length: 4 }, () => ring.pick(ps, undefined, null)))).toEqual({ a: 2, b: 2 })
  })
})

describe('LeastConnections', () => {
  it('picks the peer with the fewest requests in flight relative to its weight', () => {
    const ps = [peer('a'), peer('b'), peer('c', 300)]
    ps[0].active = 1
    ps[2].active = 2
    expect(new LeastConnections().pick(ps, undefined, null)!.key).toBe('b')
    ps[1].active = 5
    expect(new LeastConnections().pick(ps, undefined, null)!.key).toBe('c')
  })
})

describe('Latency', () => {
  it('prefers the peer with the lower smoothed latency, trying unmeasured peers first', () => {
    const ps = [peer('fast'), peer('slow')]
    const l = new Latency()
    observeLatency(ps[0], 5)
    expect(l.pick(ps, undefined, null)!.key).toBe('slow') // never measured: ewma 0
    observeLatency(ps[1], 200)
    for (let i = 0; i < 5; i++) expect(l.pick(ps, undefined, null)!.key).toBe('fast')
    // a run of slow answers from `fast` moves traffic away from it
    for (let i = 0; i < 20; i++) observeLatency(ps[0], 1000)
    expect(l.pick(ps, undefined, null)!.key).toBe('slow')
  })
})
