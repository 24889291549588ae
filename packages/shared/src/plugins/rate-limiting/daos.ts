// rate-limiting's `cluster` counters (Kong's ratelimiting_metrics): runtime data in the shared store, never exported.
import { defineEntity } from '../../entity.ts'
import { t } from '../../typedefs.ts'

/**
 * One row per (identifier, period, window start, plugin scope). `value` only grows, through the store's
 * atomic `incr`; `purge_at` (epoch seconds) carries Kong's row TTL of one period length.
 */
export const ratelimitingMetrics = defineEntity({
  name: 'ratelimiting_metrics',
  exportable: false,
  adminApi: false, // Kong: generate_admin_api = false
  primaryKey: ['identifier', 'period', 'period_date', 'service_id', 'route_id'],
  fields: {
    identifier: t.string({ required: true, min: 0 }),
    period: t.string({ required: true }),
    period_date: t.integer({ required: true }),
    // plain strings, not foreign keys (Kong: "don't make this `foreign`"); the empty UUID means "any"
    service_id: t.string({ required: true }),
    route_id: t.string({ required: true }),
    value: t.integer({ required: true }),
    purge_at: t.integer(),
  },
})
