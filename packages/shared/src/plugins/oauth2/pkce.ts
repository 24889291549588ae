// PKCE (RFC 7636), S256 only, with Kong's rules for who must use it and Kong's messages.
import { createHash } from 'node:crypto'
import type { Entity } from '../../entity.ts'
import type { Params } from './params.ts'
import type { OAuth2Config } from './schema.ts'
import {
  CHALLENGE_METHOD_UNSUPPORTED, CHALLENGE_WITHOUT_METHOD, INVALID_CODE, VERIFIER_LENGTH, VERIFIER_NOT_STRING, VERIFIER_REQUIRED, oauthError,
  type OAuthError,
} from './messages.ts'

/**
 * Challenges are stored as unpadded base64url whatever alphabet the client used (`+/=` included), so the
 * comparison with BASE64URL(SHA256(verifier)) does not depend on the client's encoder.
 */
export function normalizeChallenge(challenge: string): string {
  const std = challenge.replace(/-/g, '+').replace(/_/g, '/').replace(/={1,2}$/, '')
  if (!/^[A-Za-z0-9+/]*$/.test(std) || std.length % 4 === 1) return challenge
  return Buffer.from(std, 'base64').toString('base64url')
}

/** The challenge of an authorize request: absent, normalized with its method, or an error message. */
export function readChallenge(params: Params): { challenge?: string; method?: 'S256'; error?: string } {
  const challenge = params.code_challenge
  const method = params.code_challenge_method
  if (method !== undefined && challenge === undefined) return { error: CHALLENGE_WITHOUT_METHOD }
  if (challenge === undefined) return {} // the method is stored only with a challenge
  if (method !== undefined && method !== 'S256' && method !== 's256') return { error: CHALLENGE_METHOD_UNSUPPORTED }
  return { challenge: normalizeChallenge(String(challenge)), method: 'S256' }
}

/** Public clients need PKCE unless `pkce=none`; confidential ones only with `pkce=strict`; a code made with a challenge always. */
export function requiresPkce(conf: OAuth2Config, client: Entity, codeUsedPkce = false): boolean {
  if (codeUsedPkce) return true
  if (client.client_type === 'public') return conf.pkce !== 'none'
  return client.client_type === 'confidential' && conf.pkce === 'strict'
}

/** Check `code_verifier` against the code's stored challenge; a mismatch is `invalid_grant`. */
export function verifierError(params: Params, storedChallenge: string | null): OAuthError | null {
  const verifier = params.code_verifier
  if (verifier === undefined) return oauthError('invalid_request', VERIFIER_REQUIRED)
  if (typeof verifier !== 'string') return oauthError('invalid_request', VERIFIER_NOT_STRING)
  if (verifier.length < 43 || verifier.length > 128) return oauthError('invalid_request', VERIFIER_LENGTH)
  const computed = createHash('sha256').update(verifier).digest('base64url')
  if (!storedChallenge || computed !== storedChallenge) return oauthError('invalid_grant', INVALID_CODE)
  return null
}
