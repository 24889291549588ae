// The introspection toolkit shared by phantom-token, kong-auth-integration and oauth2-introspection.
export { SingleFlight } from './single-flight.ts'
export { configFingerprint, sha256Hex, tokenCacheKey } from './cache-key.ts'
export { cacheControlLimit, cacheTtl, NO_EXPIRY_SECONDS } from './ttl.ts'
export { cachedLookup, type LoadResult, type LookupResult } from './cached-lookup.ts'
export { basicCredentials, errorText, headerOf, introspect, introspectionBody, type IntrospectionAnswer, type IntrospectionCall } from './client.ts'
export { claimHeaderValue, isHeaderSafe, toHeaderValue, type HeaderEncoding } from './header-safe.ts'
