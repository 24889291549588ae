// rate-limiting access and header_filter phases (Kong's handler.lua): identify the caller, count, answer
// 429 at the limit, and send RateLimit-* / X-RateLimit-* headers on every response.
import type { PluginContext, PluginHandler } from '../../pdk/index.ts'
import type { PluginScope } from '../../plugin.ts'
import { PERIODS, type RateLimitingConfig } from './schema.ts'
import { EMPTY_UUID, logFailure, type Compiled } from './policy.ts'
import { EXPIRATION, resetIn, X_LIMIT, X_REMAINING } from './periods.ts'
import { localPolicy } from './local.ts'
import { clusterPolicy } from './cluster.ts'
import { redisPolicy } from './redis.ts'

const RATELIMIT_LIMIT = 'ratelimit-limit'
const RATELIMIT_REMAINING = 'ratelimit-remaining'
const RATELIMIT_RESET = 'ratelimit-reset'
const RETRY_AFTER = 'retry-after'
/** Where access leaves the headers for header_filter (Kong's ngx.ctx.__rate_limiting_context__). */
const HEADERS_KEY = 'rate-limiting.headers'
const UNEXPECTED = 'An unexpected error occurred'

export function compile(conf: RateLimitingConfig, instance: PluginScope = { id: EMPTY_UUID, route: null, service: null, consumer: null }): Compiled {
  const periods = PERIODS.filter((p) => conf[p] !== null)
  const limits = periods.map((p) => conf[p]!)
  const serviceId = instance.service ?? EMPTY_UUID
  const routeId = instance.route ?? EMPTY_UUID
  const policy =
    conf.policy === 'local' ? localPolicy(`${routeId}:${serviceId}`, periods, limits)
    : conf.policy === 'cluster' ? clusterPolicy(serviceId, routeId, periods, limits)
    : redisPolicy(instance.id, serviceId, routeId, periods, limits, conf)
  return { conf, periods, limits, serviceId, routeId, headerName: conf.header_name?.toLowerCase() ?? null, policy }
}

/** Kong's get_identifier: the chosen entity, or the client address when the request has none. */
function identifier(ctx: PluginContext<Compiled>): string {
  const c = ctx.config
  let id: string | undefined
  switch (c.conf.limit_by) {
    case 'service':
      id = ctx.service?.id
      break
    case 'consumer':
      id = ctx.client.getConsumer()?.id ?? ctx.client.getCredential()?.id
      break
    case 'credential':
      id = ctx.client.getCredential()?.id
      break
    case 'header':
      id = ctx.request.getHeader(c.headerName!)
      break
    case 'path':
      if (ctx.request.path === c.conf.path) id = ctx.request.path
      break
  }
  return id ?? ctx.request.clientIp
}

function decide(ctx: PluginContext<Compiled>, usage: readonly number[], nowSec: number) {
  const c = ctx.config
  const { periods, limits } = c
  // the last period already at its limit stops the request (Kong: `stop`)
  let stop = -1
  for (let i = 0; i < periods.length; i++) if (limits[i] - usage[i] <= 0) stop = i
  if (!c.conf.hide_client_headers) {
    const headers: Record<string, string> = {}
    // RateLimit-*: the period with the fewest remaining requests, the longer window on a tie
    let best = -1
    let bestRemaining = 0
    for (let i = 0; i < periods.length; i++) {
      let remaining = limits[i] - usage[i]
      if (stop === -1 || stop === i) remaining -= 1
      remaining = Math.max(0, remaining)
      if (best === -1 || remaining < bestRemaining || (remaining === bestRemaining && EXPIRATION[periods[i]] > EXPIRATION[periods[best]])) {
        best = i
        bestRemaining = remaining
      }
      headers[X_LIMIT[periods[i]]] = String(limits[i])
      headers[X_REMAINING[periods[i]]] = String(remaining)
    }
    const reset = String(resetIn(periods[best], nowSec))
    headers[RATELIMIT_LIMIT] = String(limits[best])
    headers[RATELIMIT_REMAINING] = String(bestRemaining)
    headers[RATELIMIT_RESET] = reset
    if (stop !== -1) headers[RETRY_AFTER] = reset
    ctx.shared[HEADERS_KEY] = headers
  }
  if (stop !== -1) return ctx.error(c.conf.error_code, c.conf.error_message, undefined, 'rate-limiting.exceeded')
}

/** The counter store failed: serve without limiting (fault_tolerant) or answer 500, logging once per interval. */
function failed(ctx: PluginContext<Compiled>, err: unknown) {
  const c = ctx.config
  const where = c.conf.policy === 'redis' ? `redis ${c.conf.redis.host}:${c.conf.redis.port};${c.conf.redis.database}` : c.conf.policy
  logFailure(ctx.log, where, `rate-limiting: failed to get usage (${c.conf.policy} policy)`, err)
  if (!c.conf.fault_tolerant) return ctx.error(500, UNEXPECTED, undefined, 'rate-limiting.store_failed')
}

export const handler: PluginHandler<Compiled> = {
  access(ctx) {
    const nowSec = Math.floor(Date.now() / 1000)
    let usage: number[] | Promise<number[]>
    try {
      usage = ctx.config.policy.hit(ctx, identifier(ctx), nowSec)
    } catch (e) {
      return failed(ctx, e)
    }
    if (Array.isArray(usage)) return decide(ctx, usage, nowSec)
    return usage.then(
      (u) => decide(ctx, u, nowSec),
      (e) => failed(ctx, e),
    )
  },
  headerFilter(ctx, res) {
    const headers = ctx.shared[HEADERS_KEY] as Record<string, string> | undefined
    if (!headers) return
    for (const k in headers) res.headers[k] = headers[k]
  },
}
