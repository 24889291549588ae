// The `redis` policy: counters in Redis shared by every proxy (Kong's policies/init.lua "redis"): one script
// call covers every period of every request of an event-loop turn (redis-batch.ts), or, with `sync_rate`,
// local deltas are flushed every `sync_rate` seconds.
import { createRequire } from 'node:module'
import type { Redis } from 'ioredis'
import type { PdkLogger } from '../../pdk/index.ts'
import type { Period, RateLimitingConfig } from './schema.ts'
import { SYNC_RATE_REALTIME } from './schema.ts'
import { exceeded, logFailure, type Policy } from './policy.ts'
import { EXPIRATION, windowStart } from './periods.ts'
import { HitBatcher } from './redis-batch.ts'

type RedisConf = RateLimitingConfig['redis']
type Client = Redis & {
  rlHit(numKeys: number, ...args: (string | number)[]): Promise<unknown[]>
  rlFlush(numKeys: number, ...args: (string | number)[]): Promise<unknown>
  /** Requests of one event-loop turn share one script call. */
  batch: HitBatcher
}

// INCR every period's key, starting its TTL on first use; returns the counts before this request.
const HIT = `local out = {}
for i = 1, #KEYS do
  local v = redis.call('incr', KEYS[i])
  if v == 1 then redis.call('expire', KEYS[i], ARGV[i]) end
  out[i] = v - 1
end
return out`
// Add each delta; a key created by the flush expires at the end of its window (Kong's sync_to_redis).
const FLUSH = `for i = 1, #KEYS do
  local existed = redis.call('exists', KEYS[i])
  redis.call('incrby', KEYS[i], ARGV[2 * i - 1])
  if existed == 0 then redis.call('expireat', KEYS[i], ARGV[2 * i]) end
end
return 1`
const DOWN = new Set(['reconnecting', 'close', 'end'])

/** Kong's db_key: which Redis and database a counter lives in (also the failure-log key; no secrets). */
const dbKeyOf = (r: RedisConf) => `${r.host}:${r.port};${r.database}`

// One connection per distinct Redis configuration for the whole process (Kong's keepalive pool per db_key);
// instances and runtime rebuilds share it.
const clients = new Map<string, Client>()

/** ioredis on first use: a proxy whose configuration has no redis policy never loads it (~50 ms at start). */
let RedisClass: typeof Redis | undefined
const loadRedis = () => (RedisClass ??= (createRequire(import.meta.url)('ioredis') as typeof import('ioredis')).Redis)

function clientFor(r: RedisConf, log: PdkLogger): Client {
  const id = JSON.stringify([r.host, r.port, r.database, r.username, r.password, r.ssl, r.ssl_verify, r.server_name, r.timeout])
  let c = clients.get(id)
  if (c) return c
  c = new (loadRedis())({
    host: r.host!,
    port: r.port,
    db: r.database,
    username: r.username ?? undefined,
    password: r.password || undefined,
    connectTimeout: r.timeout || undefined,
    commandTimeout: r.timeout || undefined,
    tls: r.ssl ? { servername: r.server_name ?? undefined, rejectUnauthorized: r.ssl_verify } : undefined,
    // a request never waits for reconnections: it fails at once and fault_tolerant decides
    maxRetriesPerRequest: 0,
    retryStrategy: (times) => Math.min(times * 200, 2000),
    enableAutoPipelining: true,
  }) as Client
  c.defineCommand('rlHit', { lua: HIT })
  c.defineCommand('rlFlush', { lua: FLUSH })
  c.batch = new HitBatcher(c)
  const key = dbKeyOf(r)
  c.on('error', (e) => logFailure(log, `redis ${key}`, 'rate-limiting: Redis connection failed', e))
  clients.set(id, c)
  return c
}

/** Close every Redis connection this process opened (tests, shutdown). */
export async function closeRedisClients(): Promise<void> {
  const all = [...clients.values()]
  clients.clear()
  await Promise.all(all.map((c) => c.quit().catch(() => c.disconnect())))
}

function reachable(c: Client): Promise<never> | null {
  return DOWN.has(c.status) ? Promise.reject(new Error(`Redis unavailable (${c.status})`)) : null
}

/** sync_rate state per Redis database, shared by instances as Kong's cur_usage/cur_delta tables are. */
interface SyncTables {
  usage: Map<string, number>
  expireAt: Map<string, number>
  delta: Map<string, number>
}
const syncTables = new Map<string, SyncTables>()
const pending = new Set<string>()
const running = new Set<string>()

export function redisPolicy(pluginId: string, serviceId: string, routeId: string, periods: readonly Period[], limits: readonly number[], conf: RateLimitingConfig): Policy {
  const r = conf.redis
  const ttls = periods.map((p) => EXPIRATION[p])
  const prefix = `ratelimit:${routeId}:${serviceId}:`
  // Kong's key: ratelimit:<route>:<service>:<identifier>:<window start in ms>:<period>
  const keyOf = (identifier: string, period: Period, start: number) => `${prefix}${identifier}:${start * 1000}:${period}`

  if (conf.sync_rate === SYNC_RATE_REALTIME) {
    return {
      hit(ctx, identifier, nowSec) {
        const c = clientFor(r, ctx.log)
        const down = reachable(c)
        if (down) return down
        const keys = periods.map((p) => keyOf(identifier, p, windowStart(p, nowSec)))
        // Kong's realtime mode counts every request, refused ones included (the INCR is the read)
        return c.batch.hit(keys, ttls)
      },
    }
  }

  const db = dbKeyOf(r)
  const tables = syncTables.get(db) ?? { usage: new Map(), expireAt: new Map(), delta: new Map() }
  syncTables.set(db, tables)
  const clear = () => {
    tables.usage.clear()
    tables.expireAt.clear()
    tables.delta.clear()
  }
  const flush = async (log: PdkLogger) => {
    const keys = [...tables.delta.keys()].filter((k) => tables.delta.get(k) !== 0)
    const args: (string | number)[] = []
    for (const k of keys) args.push(tables.delta.get(k)!, tables.expireAt.get(k)!)
    clear() // on success and on failure alike, as Kong: a failed flush loses its deltas
    if (!keys.length) return
    const c = clientFor(r, log)
    try {
      await (reachable(c) ?? c.rlFlush(keys.length, ...keys, ...args))
    } catch (e) {
      logFailure(log, `redis ${db}`, 'rate-limiting: failed to sync counters to Redis', e)
    }
  }
  // Kong's rate_limited_sync: at most one pending and one running flush per instance, sync_rate apart.
  const schedule = (log: PdkLogger) => {
    if (pending.has(pluginId)) return
    pending.add(pluginId)
    const run = () => {
      if (running.has(pluginId)) return void setTimeout(run, Math.max(10, r.timeout / 2)).unref()
      running.add(pluginId)
      pending.delete(pluginId)
      flush(log).finally(() => running.delete(pluginId))
    }
    setTimeout(run, conf.sync_rate * 1000).unref()
  }

  return {
    async hit(ctx, identifier, nowSec) {
      const usage = new Array<number>(periods.length)
      const keys = periods.map((p) => keyOf(identifier, p, windowStart(p, nowSec)))
      const missing: number[] = []
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i]
        const cached = tables.usage.get(k)
        if (cached === undefined) missing.push(i)
        else if (tables.expireAt.get(k)! > nowSec) usage[i] = cached + (tables.delta.get(k) ?? 0)
        else {
          tables.usage.set(k, 0)
          tables.expireAt.set(k, windowStart(periods[i], nowSec) + ttls[i])
          tables.delta.set(k, 0)
          usage[i] = 0
        }
      }
      if (missing.length) {
        const c = clientFor(r, ctx.log)
        const mkeys = missing.map((i) => keys[i])
        const counts = await (reachable(c) ?? c.batch.hit(mkeys, missing.map((i) => ttls[i])))
        missing.forEach((i, j) => {
          usage[i] = counts[j]
          tables.usage.set(keys[i], usage[i])
          tables.expireAt.set(keys[i], windowStart(periods[i], nowSec) + ttls[i])
          tables.delta.set(keys[i], -1) // the INCR that read the count already counted this request
        })
      }
      if (!exceeded(limits, usage)) {
        for (const k of keys) tables.delta.set(k, (tables.delta.get(k) ?? 0) + 1)
        schedule(ctx.log)
      }
      return usage
    },
  }
}
