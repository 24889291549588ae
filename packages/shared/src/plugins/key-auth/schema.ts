// key-auth config (Kong 3.9 defaults).
import { z } from 'zod'

export const schema = z.strictObject({
  key_names: z.array(z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, { error: 'bad header name' })).min(1).default(['apikey']),
  hide_credentials: z.boolean().default(false),
  anonymous: z.string().nullable().default(null),
  key_in_header: z.boolean().default(true),
  key_in_query: z.boolean().default(true),
  key_in_body: z.boolean().default(false),
  run_on_preflight: z.boolean().default(true),
  realm: z.string().nullable().default(null),
})
export type KeyAuthConfig = z.output<typeof schema>
