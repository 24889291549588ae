// The `cluster` policy: counters in the shared runtime store (Kong's ratelimiting_metrics), one atomic
// upsert per period, so every proxy on the same database counts against the same limit.
import type { PluginContext } from '../../pdk/index.ts'
import type { Period } from './schema.ts'
import { exceeded, type Policy } from './policy.ts'
import { EXPIRATION, windowStart } from './periods.ts'

const ENTITY = 'ratelimiting_metrics'

export function clusterPolicy(serviceId: string, routeId: string, periods: readonly Period[], limits: readonly number[]): Policy {
  const bump = (ctx: PluginContext, identifier: string, nowSec: number, by: number) =>
    Promise.all(
      periods.map((period) =>
        ctx.store.incr(ENTITY, { identifier, period, period_date: windowStart(period, nowSec), service_id: serviceId, route_id: routeId }, 'value', by, { ttl: EXPIRATION[period] }),
      ),
    )
  return {
    async hit(ctx, identifier, nowSec) {
      // Count first and read the result of the same statement: a read-then-write (as Kong does) would let
      // two proxies both admit the last request of a window.
      const after = await bump(ctx, identifier, nowSec, 1)
      const usage = after.map((v) => v - 1)
      // A refused request does not count (Kong increments only admitted ones): take it back.
      if (exceeded(limits, usage)) await bump(ctx, identifier, nowSec, -1)
      return usage
    },
  }
}
