// oauth2-introspection's per-instance state: the IdP call's fixed parts, header names computed once, and
// the single-flight table for concurrent misses.
import { configFingerprint, NO_EXPIRY_SECONDS, SingleFlight, type LoadResult } from '../_introspection/index.ts'
import type { OAuth2IntrospectionConfig } from './schema.ts'

/** An RFC 7662 answer with `active: true`. */
export type Claims = Record<string, unknown>

export type Failure = { kind: 'inactive' } | { kind: 'idp' }

export interface OAuth2Introspection {
  url: string
  authorization: string
  tokenTypeHint: string | null
  ttl: number
  timeoutMs: number
  introspectRequest: boolean
  hideCredentials: boolean
  runOnPreflight: boolean
  anonymous: string
  consumerBy: 'username' | 'client_id'
  /** Extra IdP headers, names with `_` turned into `-` (Kong). */
  headers: Record<string, string>
  /** Claims forwarded upstream as `X-Credential-<name>`. */
  claims: Array<{ claim: string; header: string }>
  fingerprint: string
  flights: SingleFlight<LoadResult<Claims, Failure>>
}

export function compile(config: OAuth2IntrospectionConfig): OAuth2Introspection {
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(config.custom_introspection_headers)) headers[name.replace(/_/g, '-').toLowerCase()] = value
  return {
    url: config.introspection_url,
    authorization: config.authorization_value,
    tokenTypeHint: config.token_type_hint,
    ttl: config.ttl > 0 ? config.ttl : NO_EXPIRY_SECONDS,
    timeoutMs: config.timeout,
    introspectRequest: config.introspect_request,
    hideCredentials: config.hide_credentials,
    runOnPreflight: config.run_on_preflight,
    anonymous: config.anonymous,
    consumerBy: config.consumer_by,
    headers,
    claims: config.custom_claims_forward.map((claim) => ({ claim, header: 'x-credential-' + claim.replace(/_/g, '-').toLowerCase() })),
    fingerprint: configFingerprint(config.introspection_url, config.authorization_value, config.token_type_hint),
    flights: new SingleFlight(),
  }
}
