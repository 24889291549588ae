// Kong's four balancing algorithms over a list of addresses: smooth weighted round-robin, a consistent-hashing
// ring, least-connections and latency (EWMA). Each picks among `ok` addresses, preferring one not in `avoid`.
import { crc32 } from 'node:zlib'

export interface Peer {
  readonly key: string // ip:port
  readonly weight: number
  /** Requests in flight to this address (least-connections, latency). */
  active: number
  /** Smoothed response time in ms (latency); 0 until measured, so new peers are tried first. */
  ewma: number
  /** Round-robin's running weight (nginx's smooth weighted round-robin). */
  current: number
  available(): boolean
}

export interface Algorithm {
  pick(peers: readonly Peer[], hash: string | undefined, avoid: Peer | null): Peer | null
}

const usable = (p: Peer, avoid: Peer | null) => p !== avoid && p.weight > 0 && p.available()

/** nginx's smooth weighted round-robin: deterministic, and a weight-5 peer never gets 5 requests in a row. */
export class RoundRobin implements Algorithm {
  pick(peers: readonly Peer[], _hash: string | undefined, avoid: Peer | null): Peer | null {
    let best: Peer | null = null
    let total = 0
    for (let i = 0; i < peers.length; i++) {
      const p = peers[i]
      if (!usable(p, avoid)) continue
      p.current += p.weight
      total += p.weight
      if (best === null || p.current > best.current) best = p
    }
    if (best === null) return avoid !== null && usable(avoid, null) ? avoid : null
    best.current -= total
    return best
  }
}

/**
 * A hash ring: each peer owns a number of points set by its own weight and the upstream's `slots` (160 for
 * weight 100 at the default 10000 slots), at crc32(`key#i`). A peer's points never depend on the others, so
 * adding a peer moves only the keys that now land on its points, and each of them moves to the new peer.
 */
const MAX_POINTS = 4096

/**
 * crc32 of near-identical strings (`host:port#1`, `#2`, …; `user-1`, `user-2`) clusters on the ring, which makes
 * the share each peer owns, and so how many keys move when one is added, vary widely. murmur3's finalizer
 * (a bijection, so no new collisions) spreads them evenly.
 */
function spread(h: number): number {
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}

export class HashRing implements Algorithm {
  private points: Uint32Array
  private owners: Peer[]
  readonly fallback = new RoundRobin()

  constructor(peers: readonly Peer[], slots: number) {
    const list: Array<[number, Peer]> = []
    for (const p of peers) {
      if (p.weight <= 0) continue
      const n = Math.min(MAX_POINTS, Math.max(1, Math.round((p.weight * slots) / 6250)))
      for (let i = 0; i < n; i++) list.push([spread(crc32(`${p.key}#${i}`)), p])
    }
    list.sort((a, b) => a[0] - b[0])
    this.points = Uint32Array.from(list.map((x) => x[0]))
    this.owners = list.map((x) => x[1])
  }

  pick(peers: readonly Peer[], hash: string | undefined, avoid: Peer | null): Peer | null {
    if (hash === undefined || this.points.length === 0) return this.fallback.pick(peers, undefined, avoid)
    const h = spread(crc32(hash))
    // first point at or after h (binary search), then walk on to the first usable owner
    let lo = 0
    let hi = this.points.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (this.points[mid] < h) lo = mid + 1
      else hi = mid
    }
    const n = this.owners.length
    for (let i = 0; i < n; i++) {
      const p = this.owners[(lo + i) % n]
      if (usable(p, avoid)) return p
    }
    return avoid !== null && usable(avoid, null) ? avoid : null
  }
}

/** Fewest requests in flight relative to weight; ties go round-robin so equal peers share the load. */
export class LeastConnections implements Algorithm {
  private rr = 0
  pick(peers: readonly Peer[], _hash: string | undefined, avoid: Peer | null): Peer | null {
    let best: Peer | null = null
    let bestScore = Infinity
    const n = peers.length
    const start = this.rr++ % Math.max(1, n)
    for (let k = 0; k < n; k++) {
      const p = peers[(start + k) % n]
      if (!usable(p, avoid)) continue
      const score = (p.active + 1) / p.weight
      if (score < bestScore) {
        best = p
        bestScore = score
      }
    }
    return best ?? (avoid !== null && usable(avoid, null) ? avoid : null)
  }
}

/** Lowest smoothed latency, scaled by the requests already waiting on the peer (Kong's latency balancer). */
export class Latency implements Algorithm {
  private rr = 0
  pick(peers: readonly Peer[], _hash: string | undefined, avoid: Peer | null): Peer | null {
    let best: Peer | null = null
    let bestScore = Infinity
    const n = peers.length
    const start = this.rr++ % Math.max(1, n)
    for (let k = 0; k < n; k++) {
      const p = peers[(start + k) % n]
      if (!usable(p, avoid)) continue
      const score = (p.ewma * (p.active + 1)) / p.weight
      if (score < bestScore) {
        best = p
        bestScore = score
      }
    }
    return best ?? (avoid !== null && usable(avoid, null) ? avoid : null)
  }
}

/** Exponentially weighted moving average of a peer's response time. */
export function observeLatency(p: Peer, ms: number): void {
  p.ewma = p.ewma === 0 ? ms : p.ewma * 0.8 + ms * 0.2
}
