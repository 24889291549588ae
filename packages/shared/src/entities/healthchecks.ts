// The `healthchecks` record of an upstream (Kong's upstreams.lua healthchecks_config): nested zod with Kong's defaults.
import { z } from 'zod'

const between = (min: number, max: number, int = true) => {
  const msg = `value should be between ${min} and ${max}`
  const base = int ? z.number({ error: 'expected an integer' }).int({ error: 'expected an integer' }) : z.number({ error: 'expected a number' })
  return base.min(min, { error: msg }).max(max, { error: msg })
}
const seconds = (d: number) => between(0, 65535, false).default(d)
const oneByte = (d: number) => between(0, 255).default(d)
const statuses = (d: number[]) => z.array(between(100, 999), { error: 'expected an array' }).default(d)
const checkType = z.enum(['tcp', 'http', 'https', 'grpc', 'grpcs']).default('http')

const activeHealthy = z.object({ interval: seconds(0), http_statuses: statuses([200, 302]), successes: oneByte(0) }).strict()
const activeUnhealthy = z
  .object({
    interval: seconds(0),
    http_statuses: statuses([429, 404, 500, 501, 502, 503, 504, 505]),
    tcp_failures: oneByte(0),
    timeouts: oneByte(0),
    http_failures: oneByte(0),
  })
  .strict()
const passiveHealthy = z
  .object({ http_statuses: statuses([200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301, 302, 303, 304, 305, 306, 307, 308]), successes: oneByte(0) })
  .strict()
const passiveUnhealthy = z.object({ http_statuses: statuses([429, 500, 503]), tcp_failures: oneByte(0), timeouts: oneByte(0), http_failures: oneByte(0) }).strict()

const active = z
  .object({
    type: checkType,
    timeout: seconds(1),
    concurrency: between(1, 2 ** 31).default(10),
    http_path: z.string().startsWith('/', { error: 'should start with: /' }).default('/'),
    https_sni: z.string().nullable().default(null),
    https_verify_certificate: z.boolean().default(true),
    headers: z.record(z.string(), z.array(z.string())).nullable().default(null),
    healthy: activeHealthy.default(() => activeHealthy.parse({})),
    unhealthy: activeUnhealthy.default(() => activeUnhealthy.parse({})),
  })
  .strict()
const passive = z
  .object({
    type: checkType,
    healthy: passiveHealthy.default(() => passiveHealthy.parse({})),
    unhealthy: passiveUnhealthy.default(() => passiveUnhealthy.parse({})),
  })
  .strict()

export const healthchecksZod = z
  .object({
    active: active.default(() => active.parse({})),
    passive: passive.default(() => passive.parse({})),
    threshold: between(0, 100, false).default(0),
  })
  .strict()

export type Healthchecks = z.infer<typeof healthchecksZod>

export const defaultHealthchecks = (): Healthchecks => healthchecksZod.parse({})

/** Kong's is_upstream_using_healthcheck: any active interval or passive threshold switched on. */
export function usesHealthchecks(h: Healthchecks): boolean {
  return h.active.healthy.interval !== 0 || h.active.unhealthy.interval !== 0 ||
    h.passive.unhealthy.tcp_failures !== 0 || h.passive.unhealthy.timeouts !== 0 || h.passive.unhealthy.http_failures !== 0
}
