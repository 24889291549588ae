// cors config (Kong 3.9): origins (exact, `*` or regex), methods, headers, exposed headers, credentials,
// max_age, private_network and preflight_continue, with Kong's defaults and messages.
import { z } from 'zod'
import { isRegex } from '../../pdk/regex.ts'

export const METHODS = ['GET', 'HEAD', 'PUT', 'PATCH', 'POST', 'DELETE', 'OPTIONS', 'TRACE', 'CONNECT'] as const

const origin = z.string().refine((v) => v === '*' || isRegex(v), { error: (i) => `'${String(i.input)}' is not a valid regex` })

export const schema = z.strictObject({
  origins: z.array(origin).nullable().default(null),
  headers: z.array(z.string()).nullable().default(null),
  exposed_headers: z.array(z.string()).nullable().default(null),
  methods: z.array(z.enum(METHODS)).nullable().default([...METHODS]),
  max_age: z.number().nullable().default(null),
  credentials: z.boolean().default(false),
  private_network: z.boolean().default(false),
  preflight_continue: z.boolean().default(false),
})
export type CorsConfig = z.output<typeof schema>
