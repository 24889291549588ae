// oauth2-introspection config: Kong Enterprise's field names, types and defaults (3.x schema).
import { z } from 'zod'

const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/
const headerName = z.string().regex(HEADER_NAME, { error: 'bad header name' })

export const schema = z.strictObject({
  introspection_url: z.url({ protocol: /^https?$/ }),
  /** Seconds an active answer is reused; 0 = no limit of our own (the token's exp still applies). */
  ttl: z.number().min(0).default(30),
  token_type_hint: z.string().nullable().default(null),
  /** Sent verbatim as the Authorization header of the introspection call (e.g. `Basic ...`). */
  authorization_value: z.string().min(1),
  timeout: z.number().int().min(1).default(10_000),
  /** Accepted for Kong compatibility; the proxy's HTTP client pools its own connections. */
  keepalive: z.number().int().default(60_000),
  introspect_request: z.boolean().default(false),
  hide_credentials: z.boolean().default(false),
  run_on_preflight: z.boolean().default(true),
  // Kong's default is '' (not null); a form field sent empty arrives as null and means the same.
  anonymous: z.string().nullable().default('').transform((v) => v ?? ''),
  consumer_by: z.enum(['username', 'client_id']).default('username'),
  custom_introspection_headers: z.record(headerName, z.string()).default({}),
  custom_claims_forward: z.array(headerName).transform((a) => [...new Set(a)]).default([]),
})

export type OAuth2IntrospectionConfig = z.output<typeof schema>
