// phantom-token config: the union of Curity's plugin versions (§1.2 of the spec), so configs written for
// v1 (`trusted_web_origins`) and v2.0.2 (`scheme`) are both accepted.
import { z } from 'zod'

export const schema = z.strictObject({
  introspection_endpoint: z.url({ protocol: /^https?$/ }),
  client_id: z.string().min(1),
  client_secret: z.string().min(1),
  /** Upper bound of a JWT's cache lifetime; ≤ 0 is stored as given and treated as 300 (Curity v2). */
  token_cache_seconds: z.number().default(300),
  /** Space-separated scopes that must all be in the JWT's `scope` claim, checked on every request. */
  scope: z.string().nullable().default(null),
  verify_ssl: z.boolean().default(true),
  /** Origins whose error responses carry CORS headers (Curity v1), so SPAs can read the 401/403 body. */
  trusted_web_origins: z.array(z.string().min(1)).default([]),
  scheme: z.enum(['Bearer', 'DPoP']).default('Bearer'),
})

export type PhantomTokenConfig = z.output<typeof schema>
