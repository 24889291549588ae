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
  return {
    conf, periods, limits, serviceId, routeId, policy,
    headerName: conf.header_name?.toLowerCase() ?? null,
    windows: periods.map((p) => EXPIRATION[p]),
    limitStrings: limits.map(String),
    headerNames: headerNames({ periods }),
    resetMemo: { sec: -1, period: -1, value: '' },
  }
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

/** Header names of one instance, fixed at compile: per period limit and remaining, then RateLimit-*, Retry-After. */
function headerNames(c: Pick<Compiled, 'periods'>): string[] {
  return [...c.periods.flatMap((p) => [X_LIMIT[p], X_REMAINING[p]]), RATELIMIT_LIMIT, RATELIMIT_REMAINING, RATELIMIT_RESET, RETRY_AFTER]
}

function decide(ctx: PluginContext<Compiled>, usage: readonly number[], nowSec: number) {
  const c = ctx.config
  const { periods, limits, windows } = c
  const n = periods.length
  // the last period already at its limit stops the request (Kong: `stop`)
  let stop = -1
  for (let i = 0; i < n; i++) if (limits[i] - usage[i] <= 0) stop = i
  if (!c.conf.hide_client_headers) {
    // values line up with c.headerNames; one array per request, read by header_filter
    const values = new Array<string | undefined>(c.headerNames.length)
    // RateLimit-*: the period with the fewest remaining requests, the longer window on a tie
    let best = -1
    let bestRemaining = 0
    for (let i = 0; i < n; i++) {
      let remaining = limits[i] - usage[i]
      if (stop === -1 || stop === i) remaining -= 1
      if (remaining < 0) remaining = 0
      if (best === -1 || remaining < bestRemaining || (remaining === bestRemaining && windows[i] > windows[best])) {
        best = i
        bestRemaining = remaining
      }
      values[2 * i] = c.limitStrings[i]
      values[2 * i + 1] = String(remaining)
    }
    const reset = resetString(c, best, nowSec)
    values[2 * n] = c.limitStrings[best]
    values[2 * n + 1] = String(bestRemaining)
    values[2 * n + 2] = reset
    if (stop !== -1) values[2 * n + 3] = reset
    ctx.shared[HEADERS_KEY] = values
  }
  if (stop !== -1) return ctx.error(c.conf.error_code, c.conf.error_message, undefined, 'rate-limiting.exceeded')
}

/** RateLimit-Reset as a string, remembered for the current second (most requests of a second share it). */
function resetString(c: Compiled, period: number, nowSec: number): string {
  const memo = c.resetMemo
  if (memo.sec !== nowSec || memo.period !== period) {
    memo.sec = nowSec
    memo.period = period
    memo.value = String(resetIn(c.periods[period], nowSec))
  }
  return memo.value
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
    const values = ctx.shared[HEADERS_KEY] as (string | undefined)[] | undefined
    if (!values) return
    const names = ctx.config.headerNames
    for (let i = 0; i < names.length; i++) if (values[i] !== undefined) res.headers[names[i]] = values[i]!
  },
}
