// hmac-auth config (Kong 3.9 fields, defaults and messages).
import { z } from 'zod'

export const ALGORITHMS = ['hmac-sha1', 'hmac-sha256', 'hmac-sha384', 'hmac-sha512'] as const
export type Algorithm = (typeof ALGORITHMS)[number]

export const schema = z.strictObject({
  hide_credentials: z.boolean().default(false),
  clock_skew: z.number().gt(0).default(300),
  anonymous: z.string().min(1).nullable().default(null),
  validate_request_body: z.boolean().default(false),
  enforce_headers: z.array(z.string().min(1)).default([]),
  algorithms: z.array(z.enum(ALGORITHMS)).default([...ALGORITHMS]),
  realm: z.string().min(1).nullable().default(null),
})
export type HmacAuthConfig = z.output<typeof schema>
