// PKCE: challenge normalization, method rules, who must use it, and verifier checks with Kong's messages.
import { describe, expect, it } from 'vitest'
import { createHash } from 'node:crypto'
import { normalizeChallenge, readChallenge, requiresPkce, verifierError } from './pkce.ts'
import { schema } from './schema.ts'

const VERIFIER = 'a'.repeat(43)
const CHALLENGE = createHash('sha256').update(VERIFIER).digest('base64url')
const conf = (pkce: string) => schema.parse({ enable_authorization_code: true, pkce })

describe('oauth2 PKCE', () => {
  it('normalizes standard base64 with padding to unpadded base64url', () => {
    const std = createHash('sha256').update(VERIFIER).digest('base64')
    expect(normalizeChallenge(std)).toBe(CHALLENGE)
    expect(normalizeChallenge('not base64!')).toBe('not base64!')
  })

  it("reports a method without a challenge with Kong's wording", () => {
    expect(readChallenge({ code_challenge_method: 'S256' }).error).toBe('code_challenge is required when code_method is present')
  })

  it('supports S256 only, in either case', () => {
    expect(readChallenge({ code_challenge: CHALLENGE, code_challenge_method: 'plain' }).error).toBe('code_challenge_method is not supported, must be S256')
    expect(readChallenge({ code_challenge: CHALLENGE, code_challenge_method: 's256' })).toEqual({ challenge: CHALLENGE, method: 'S256' })
    expect(readChallenge({ code_challenge: CHALLENGE })).toEqual({ challenge: CHALLENGE, method: 'S256' })
  })

  it('requires PKCE of public clients unless none, of confidential ones only when strict', () => {
    expect(requiresPkce(conf('lax'), { id: '1', client_type: 'public' })).toBe(true)
    expect(requiresPkce(conf('none'), { id: '1', client_type: 'public' })).toBe(false)
    expect(requiresPkce(conf('lax'), { id: '1', client_type: 'confidential' })).toBe(false)
    expect(requiresPkce(conf('strict'), { id: '1', client_type: 'confidential' })).toBe(true)
    expect(requiresPkce(conf('none'), { id: '1', client_type: 'confidential' }, true)).toBe(true)
  })

  it('checks the verifier: present, a string, 43 to 128 characters, matching', () => {
    expect(verifierError({}, CHALLENGE)?.error_description).toBe('code_verifier is required for PKCE authorization requests')
    expect(verifierError({ code_verifier: 12 }, CHALLENGE)?.error_description).toBe('code_verifier is not a string')
    expect(verifierError({ code_verifier: 'short' }, CHALLENGE)?.error_description).toBe('code_verifier must be between 43 and 128 characters')
    expect(verifierError({ code_verifier: 'b'.repeat(43) }, CHALLENGE)).toEqual({ error: 'invalid_grant', error_description: 'Invalid code' })
    expect(verifierError({ code_verifier: VERIFIER }, null)?.error).toBe('invalid_grant')
    expect(verifierError({ code_verifier: VERIFIER }, CHALLENGE)).toBeNull()
  })
})
