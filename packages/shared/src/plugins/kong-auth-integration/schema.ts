// kong-auth-integration config: vechr's three keys with their defaults, plus Postern's safety options
// (timeout, payload size limit, opt-in cache, preflight switch, TLS verification) whose defaults keep the
// original flow — except that the auth server's certificate is verified (the original never verifies).
import { X509Certificate } from 'node:crypto'
import { z } from 'zod'

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g

/** Every certificate of a PEM bundle parses, and there is at least one. */
function isPemBundle(pem: string): boolean {
  const certs = pem.match(PEM_CERT)
  if (!certs) return false
  try {
    for (const c of certs) new X509Certificate(c)
    return true
  } catch {
    return false
  }
}

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
  /** Verify the auth server's TLS certificate. Postern's default; false only for a server you trust otherwise. */
  ssl_verify: z.boolean().default(true),
  /** PEM bundle of the CA certificates trusted for the auth server (a private CA or a self-signed server). */
  ssl_ca_certificates: z.string().refine(isPemBundle, { error: 'expected one or more PEM certificates' }).nullable().default(null),
})

export type AuthIntegrationConfig = z.output<typeof schema>
