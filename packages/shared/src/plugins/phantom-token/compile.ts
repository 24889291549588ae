// phantom-token's per-instance state, built once per config rebuild: the IdP credential, the scope list,
// the trusted origins as a set, and the single-flight table that makes concurrent misses share one call.
import { basicCredentials, configFingerprint, SingleFlight, type LoadResult } from '../_introspection/index.ts'
import type { PhantomTokenConfig } from './schema.ts'

export const DEFAULT_CACHE_SECONDS = 300

/** What a successful introspection leaves in the cache: the JWT and its scopes, decoded once. */
export interface PhantomEntry {
  jwt: string
  /** The JWT's scope values, or null when it has no readable `scope` claim. */
  scopes: string[] | null
}

export interface Failure {
  status: 401 | 500
  reason: string
}

export interface PhantomToken {
  endpoint: string
  authorization: string
  cacheSeconds: number
  requiredScopes: string[]
  origins: Set<string>
  scheme: string
  /** Lower-cased `<scheme> ` prefix the Authorization header must start with. */
  prefix: string
  /** `verify_ssl`: false skips the IdP certificate check (ctx.http `verifyTls`). */
  verifySsl: boolean
  fingerprint: string
  flights: SingleFlight<LoadResult<PhantomEntry, Failure>>
}

export function compile(config: PhantomTokenConfig): PhantomToken {
  return {
    endpoint: config.introspection_endpoint,
    authorization: basicCredentials(config.client_id, config.client_secret),
    cacheSeconds: config.token_cache_seconds > 0 ? config.token_cache_seconds : DEFAULT_CACHE_SECONDS,
    requiredScopes: (config.scope ?? '').split(/\s+/).filter(Boolean),
    origins: new Set(config.trusted_web_origins),
    scheme: config.scheme,
    prefix: config.scheme.toLowerCase() + ' ',
    verifySsl: config.verify_ssl,
    fingerprint: configFingerprint(config.introspection_endpoint, config.client_id, config.client_secret),
    flights: new SingleFlight(),
  }
}
