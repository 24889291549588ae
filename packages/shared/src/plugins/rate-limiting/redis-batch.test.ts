// HitBatcher against the real Redis on 127.0.0.1:6379 (database 14, keys under this file's own prefix).
import { afterAll, describe, expect, it } from 'vitest'
import { Redis } from 'ioredis'
import { randomUUID } from 'node:crypto'
import { HitBatcher } from './redis-batch.ts'

const HIT = `local out = {}
for i = 1, #KEYS do
  local v = redis.call('incr', KEYS[i])
  if v == 1 then redis.call('expire', KEYS[i], ARGV[i]) end
  out[i] = v - 1
end
return out`
const PREFIX = `postern-test:redis-batch:${randomUUID()}:`
const client = new Redis({ host: '127.0.0.1', port: 6379, db: 14 }) as Redis & { rlHit: (n: number, ...a: (string | number)[]) => Promise<unknown[]> }
client.defineCommand('rlHit', { lua: HIT })
let calls = 0
const counted = Object.assign(Object.create(client), { rlHit: (...a: [number, ...(string | number)[]]) => (calls++, client.rlHit(...a)) })

afterAll(async () => {
  const keys = await client.keys(`${PREFIX}*`)
  if (keys.length) await client.del(...keys)
  await client.quit()
})

describe('HitBatcher', () => {
  it('sends the hits of one event-loop turn as one script call, each request getting its own counts', async () => {
    const b = new HitBatcher(counted)
    calls = 0
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => b.hit([`${PREFIX}a`, `${PREFIX}b${i % 2}`], [60, 3600])))
    expect(calls).toBe(1)
    expect(results.map((r) => r[0])).toEqual(Array.from({ length: 20 }, (_, i) => i))
    expect(results.filter((_, i) => i % 2 === 1).map((r) => r[1])).toEqual(Array.from({ length: 10 }, (_, i) => i))
    expect(await client.ttl(`${PREFIX}a`)).toBeGreaterThan(50)
    expect(await client.ttl(`${PREFIX}b0`)).toBeGreaterThan(3500)
  })

  it('splits a batch larger than its key limit and rejects every waiter of a failed call', async () => {
    const b = new HitBatcher(counted)
    calls = 0
    const keys = Array.from({ length: 300 }, (_, i) => `${PREFIX}big${i}`)
    // the second request fills the batch past 512 keys and sends it; the third starts the next one
    const r = await Promise.all([0, 1, 2].map(() => b.hit(keys, keys.map(() => 60))))
    expect(calls).toBe(2)
    expect(r.map((x) => x[299])).toEqual([0, 1, 2])
    const broken = new HitBatcher(Object.assign(Object.create(client), { rlHit: () => Promise.reject(new Error('down')) }))
    const outcomes = await Promise.allSettled([broken.hit(['x'], [1]), broken.hit(['y'], [1])])
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected'])
  })
})
