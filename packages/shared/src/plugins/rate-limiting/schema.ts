// rate-limiting config (Kong 3.9 schema.lua): limits per period, what to limit by, policy, Redis, answers.
import { z } from 'zod'

export const PERIODS = ['second', 'minute', 'hour', 'day', 'month', 'year'] as const
export type Period = (typeof PERIODS)[number]
export const SYNC_RATE_REALTIME = -1

const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/
const MAX_TIMEOUT = 2 ** 31 - 2
const between = (min: number, max: number) =>
  z.int().min(min, { error: `value should be between ${min} and ${max}` }).max(max, { error: `value should be between ${min} and ${max}` })
const limit = z.number().gt(0).nullable().default(null)
const path = z
  .string()
  .refine((s) => s.startsWith('/'), { error: 'should start with: /' })
  .refine((s) => !s.includes('//'), { error: 'must not have empty segments' })
/** Kong's validate_host / validate_sni: a name or an address, never with a port. */
const hostname = (ipAllowed: boolean) =>
  z.string().superRefine((s, ctx) => {
    const ipv4 = /^\d{1,3}(\.\d{1,3}){3}$/.test(s)
    if (/^[^\[]*:\d+$/.test(s) || /^\[.*\]:\d+$/.test(s)) ctx.addIssue({ code: 'custom', message: 'must not have a port' })
    else if (!/^(\[[0-9a-fA-F:.]+\]|[0-9a-fA-F:.]*:[0-9a-fA-F:.]*|[A-Za-z0-9._-]+)$/.test(s)) ctx.addIssue({ code: 'custom', message: `invalid value: ${s}` })
    else if (!ipAllowed && (ipv4 || s.includes(':'))) ctx.addIssue({ code: 'custom', message: 'must not be an IP' })
  })

/** kong.tools.redis.schema, field for field. */
const redis = z
  .strictObject({
    host: hostname(true).nullable().default(null),
    port: between(0, 65535).default(6379),
    timeout: between(0, MAX_TIMEOUT).default(2000),
    username: z.string().nullable().default(null),
    password: z.string().nullable().default(null), // len_min = 0: '' is a valid (empty) password
    database: z.int().default(0),
    ssl: z.boolean().default(false),
    ssl_verify: z.boolean().default(false),
    server_name: hostname(false).nullable().default(null),
  })
  .prefault({})

/** Kong 3.9's deprecated `redis_*` shorthands, each moved into `redis.*` (removed in Kong 4.0). */
const SHORTHANDS = {
  redis_host: ['host', z.string()],
  redis_port: ['port', z.int()],
  redis_password: ['password', z.string()],
  redis_username: ['username', z.string()],
  redis_ssl: ['ssl', z.boolean()],
  redis_ssl_verify: ['ssl_verify', z.boolean()],
  redis_server_name: ['server_name', z.string()],
  redis_timeout: ['timeout', z.int()],
  redis_database: ['database', z.int()],
} as const
type Shorthand = keyof typeof SHORTHANDS
const shorthandFields = Object.fromEntries(Object.entries(SHORTHANDS).map(([k, [, type]]) => [k, type.optional()])) as {
  [K in Shorthand]: z.ZodOptional<(typeof SHORTHANDS)[K][1]>
}

const fmt1 = (n: number) => n.toFixed(1)

export const schema = z
  .strictObject({
    second: limit,
    minute: limit,
    hour: limit,
    day: limit,
    month: limit,
    year: limit,
    limit_by: z.enum(['consumer', 'credential', 'ip', 'service', 'header', 'path']).default('consumer'),
    header_name: z.string().regex(HEADER_NAME, { error: 'bad header name' }).nullable().default(null),
    path: path.nullable().default(null),
    // Kong offers `cluster` only with a database; Postern always has its runtime store
    policy: z.enum(['local', 'cluster', 'redis']).default('local'),
    fault_tolerant: z.boolean().default(true),
    redis,
    hide_client_headers: z.boolean().default(false),
    error_code: z.number().gt(0).default(429),
    error_message: z.string().default('API rate limit exceeded'),
    sync_rate: z.number().default(SYNC_RATE_REALTIME),
    ...shorthandFields,
  })
  .transform((c) => {
    // shorthands win over the nested field, as Kong's shorthand_fields do
    const { redis_host, redis_port, redis_password, redis_username, redis_ssl, redis_ssl_verify, redis_server_name, redis_timeout, redis_database, ...rest } = c
    const legacy = { redis_host, redis_port, redis_password, redis_username, redis_ssl, redis_ssl_verify, redis_server_name, redis_timeout, redis_database }
    const r: Record<string, unknown> = { ...rest.redis }
    for (const [k, v] of Object.entries(legacy)) if (v !== undefined) r[SHORTHANDS[k as Shorthand][0]] = v
    return { ...rest, redis: r as typeof rest.redis }
  })
  .superRefine((c, ctx) => {
    if (!PERIODS.some((p) => c[p] !== null)) {
      const names = PERIODS.map((p) => `'config.${p}'`).join(', ')
      ctx.addIssue({ code: 'custom', path: [], message: `at least one of these fields must be non-empty: ${names}`, params: { entity: true } })
    }
    // Kong's custom_validator on the config record: longer periods may not allow fewer requests
    outer: for (let i = 0; i < PERIODS.length; i++) {
      const lower = c[PERIODS[i]]
      if (lower === null) continue
      for (let j = i + 1; j < PERIODS.length; j++) {
        const upper = c[PERIODS[j]]
        if (upper !== null && upper < lower) {
          ctx.addIssue({ code: 'custom', path: [], message: `The limit for ${PERIODS[j]}(${fmt1(upper)}) cannot be lower than the limit for ${PERIODS[i]}(${fmt1(lower)})` })
          break outer
        }
      }
    }
    if (c.policy !== 'redis' && c.sync_rate !== SYNC_RATE_REALTIME) ctx.addIssue({ code: 'custom', path: [], message: 'sync_rate can only be used with the redis policy' })
    if (c.policy === 'redis' && c.sync_rate !== SYNC_RATE_REALTIME && c.sync_rate < 0.02)
      ctx.addIssue({ code: 'custom', path: [], message: 'sync_rate must be greater than 0.02, or -1 to disable' })
    // Kong's conditional entity checks
    if (c.policy === 'redis') {
      for (const f of ['host', 'port', 'timeout'] as const) if (c.redis[f] === null) ctx.addIssue({ code: 'custom', path: ['redis', f], message: 'required field missing' })
    }
    if (c.limit_by === 'header' && c.header_name === null) ctx.addIssue({ code: 'custom', path: ['header_name'], message: 'required field missing' })
    if (c.limit_by === 'path' && c.path === null) ctx.addIssue({ code: 'custom', path: ['path'], message: 'required field missing' })
  })

export type RateLimitingConfig = z.output<typeof schema>
