// kong-auth-integration's per-instance state: config plus the single-flight table used when caching is on.
import { configFingerprint, SingleFlight, type HeaderEncoding, type LoadResult } from '../_introspection/index.ts'
import type { AuthIntegrationConfig } from './schema.ts'

/** A 200 answer, already made header-safe. */
export interface Payload {
  value: string
  encoding: HeaderEncoding
}

/** A refusal: the status and plain-text body the client gets. */
export interface Refusal {
  status: number
  body: string
  reason: string
}

export interface AuthIntegration {
  endpoint: string
  tokenHeader: string
  cookieName: string
  timeoutMs: number
  maxPayload: number
  cacheTtl: number
  runOnPreflight: boolean
  verifyTls: boolean
  /** Trusted CAs for the auth server, instead of the system's. */
  ca?: string
  fingerprint: string
  flights: SingleFlight<LoadResult<Payload, Refusal>>
}

export function compile(config: AuthIntegrationConfig): AuthIntegration {
  return {
    endpoint: config.authentication_endpoint,
    tokenHeader: config.token_header.toLowerCase(),
    cookieName: config.cookie_name,
    timeoutMs: config.timeout,
    maxPayload: config.max_payload_size,
    cacheTtl: config.cache_ttl,
    runOnPreflight: config.run_on_preflight,
    verifyTls: config.ssl_verify,
    ca: config.ssl_ca_certificates ?? undefined,
    fingerprint: configFingerprint(config.authentication_endpoint),
    flights: new SingleFlight(),
  }
}
