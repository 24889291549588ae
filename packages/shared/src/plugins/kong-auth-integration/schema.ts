// kong-auth-integration config: vechr's three keys with their defaults, plus Postern's safety options
// (timeout, payload size limit, opt-in cache, preflight switch) whose defaults keep the original flow.
import { z } from 'zod'

const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/

export const schema = z.strictObject({
  authentication_endpoint: z.url({ protocol: /^https?$/ }),
  token_header: z.string().regex(HEADER_NAME, { error: 'bad header name' }).default('Authorization'),
  cookie_name: z.string().min(1).default('access-token'),
  /** Whole-call deadline for the auth service in milliseconds (connect, headers and body). */
  timeout: z.number().int().min(1).max(600_000).default(5000),
  /** Largest X-User-Payload value forwarded, in bytes; a larger answer is refused, never truncated. */
  max_payload_size: z.number().int().min(1).max(65_536).default(8192),
  /** Seconds to reuse a 200 answer for the same token; 0 (the default) asks the auth service every time. */
  cache_ttl: z.number().min(0).default(0),
  /** false lets CORS preflights (OPTIONS) through without a token. */
  run_on_preflight: z.boolean().default(true),
})

export type AuthIntegrationConfig = z.output<typeof schema>
