// basic-auth config (Kong 3.9 fields and defaults).
import { z } from 'zod'

export const schema = z.strictObject({
  anonymous: z.string().min(1).nullable().default(null),
  hide_credentials: z.boolean().default(false),
  realm: z.string().min(1).default('service'),
})
export type BasicAuthConfig = z.output<typeof schema>
