// Batches the counter increments of many requests into one Redis script call: every request that arrives
// in the same event-loop turn shares one round trip and one command (the "pipelined or batched").
import type { Redis } from 'ioredis'

type HitCommand = (numKeys: number, ...args: (string | number)[]) => Promise<unknown[]>

/** Keys per call at most; a larger batch is sent at once and a new one started. */
const MAX_KEYS = 512

interface Waiter {
  n: number
  resolve(counts: number[]): void
  reject(err: unknown): void
}

export class HitBatcher {
  private keys: string[] = []
  private ttls: number[] = []
  private waiters: Waiter[] = []
  private scheduled = false

  constructor(private readonly client: Redis & { rlHit: HitCommand }) {}

  /** INCR each key (starting its TTL when new); resolves to each key's count before this increment. */
  hit(keys: readonly string[], ttls: readonly number[]): Promise<number[]> {
    return new Promise((resolve, reject) => {
      for (let i = 0; i < keys.length; i++) {
        this.keys.push(keys[i])
        this.ttls.push(ttls[i])
      }
      this.waiters.push({ n: keys.length, resolve, reject })
      if (this.keys.length >= MAX_KEYS) this.flush()
      else if (!this.scheduled) {
        this.scheduled = true
        // setImmediate, not nextTick: it runs after every request read in this turn of the loop
        setImmediate(() => this.flush())
      }
    })
  }

  private flush(): void {
    this.scheduled = false
    const { keys, ttls, waiters } = this
    if (!waiters.length) return
    this.keys = []
    this.ttls = []
    this.waiters = []
    this.client.rlHit(keys.length, ...keys, ...ttls).then(
      (counts) => {
        let at = 0
        for (const w of waiters) {
          const mine = new Array<number>(w.n)
          for (let i = 0; i < w.n; i++) mine[i] = Number(counts[at + i])
          at += w.n
          w.resolve(mine)
        }
      },
      (err) => {
        for (const w of waiters) w.reject(err)
      },
    )
  }
}
