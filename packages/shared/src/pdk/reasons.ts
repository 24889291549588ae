// The fixed vocabulary of authentication failure reasons (the `reason` label of postern_auth_failures_total).
// A plugin's exit reason is `<plugin>.<detail>`; the detail maps to one of these, anything else is `other`.

export const AUTH_FAILURE_REASONS = [
  'missing_credential', // no credential in the request
  'malformed_credential', // present but unreadable (bad token format, several tokens, no key claim)
  'unknown_credential', // a key, client or token the gateway does not know
  'bad_signature', // a signature (or an algorithm/key for it) that does not verify
  'expired', // past exp / the token's TTL
  'wrong_issuer', // iss not accepted
  'invalid_claims', // other claims (nbf, aud, maximum expiration)
  'revoked', // revoked or inactive token
  'wrong_service', // a token for another service
  'introspection_failed', // the identity provider could not answer
  'insufficient_scope', // authenticated, but without the required scope
  'forbidden', // authenticated, but not allowed (groups, addresses)
  'other',
] as const

export type AuthFailureReason = (typeof AUTH_FAILURE_REASONS)[number]

const BY_DETAIL: Record<string, AuthFailureReason> = {
  missing: 'missing_credential',
  malformed: 'malformed_credential',
  unrecognizable: 'malformed_credential',
  multiple: 'malformed_credential',
  duplicate: 'malformed_credential',
  no_key_claim: 'malformed_credential',
  invalid_key_claim: 'malformed_credential',
  invalid_method: 'malformed_credential',
  invalid: 'unknown_credential',
  no_credential: 'unknown_credential',
  no_consumer: 'unknown_credential',
  credential_gone: 'unknown_credential',
  invalid_token: 'unknown_credential',
  unknown: 'unknown_credential',
  unauthorized: 'unknown_credential',
  bad_signature: 'bad_signature',
  algorithm_mismatch: 'bad_signature',
  invalid_key: 'bad_signature',
  invalid_password: 'unknown_credential',
  expired: 'expired',
  clock_skew: 'expired',
  wrong_issuer: 'wrong_issuer',
  claims: 'invalid_claims',
  wrong_audience: 'invalid_claims',
  revoked: 'revoked',
  inactive: 'revoked',
  other_service: 'wrong_service',
  global_token: 'wrong_service',
  idp_unreachable: 'introspection_failed',
  idp_bad_body: 'introspection_failed',
  idp_error: 'introspection_failed',
  bad_body: 'introspection_failed',
  unreachable: 'introspection_failed',
  status: 'introspection_failed',
  payload_too_large: 'introspection_failed',
  scope: 'insufficient_scope',
  insufficient_scope: 'insufficient_scope',
  forbidden: 'forbidden',
  denied: 'forbidden',
}

/** Split `jwt.expired` into the plugin and its reason from the fixed set. */
export function authFailure(reason: string): { plugin: string; reason: AuthFailureReason } {
  const dot = reason.indexOf('.')
  if (dot < 0) return { plugin: reason, reason: 'other' }
  return { plugin: reason.slice(0, dot), reason: BY_DETAIL[reason.slice(dot + 1)] ?? 'other' }
}
