// Audit redaction: secrets at any depth, per-entity `key`, everything else kept.
import { describe, expect, it } from 'vitest'
import { REDACTED, redact } from './redact.ts'

describe('redact', () => {
  it('hides key-auth keys but not keys of other entities', () => {
    expect(redact('keyauth_credentials', { key: 'k', id: '1' })).toEqual({ key: REDACTED, id: '1' })
    expect(redact('jwt_secrets', { key: 'iss', secret: 's', algorithm: 'HS256' })).toEqual({ key: 'iss', secret: REDACTED, algorithm: 'HS256' })
  })

  it('hides secrets nested in plugin configs and arrays, and keeps nulls as they are', () => {
    const out = redact('plugins', { name: 'x', config: { client_secret: 'cs', nested: [{ password: 'p' }], token: null } })
    expect(out).toEqual({ name: 'x', config: { client_secret: REDACTED, nested: [{ password: REDACTED }], token: null } })
  })

  it('hides private keys of certificates and admin token hashes', () => {
    expect(redact('certificates', { cert: 'PEM', key: 'PRIVATE', key_alt: null })).toEqual({ cert: 'PEM', key: REDACTED, key_alt: null })
    expect(redact('admins', { username: 'a', token: 'sha256$ab' })).toEqual({ username: 'a', token: REDACTED })
  })
})
