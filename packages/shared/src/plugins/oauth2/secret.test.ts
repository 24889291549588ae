// hash_secret: Kong's PBKDF2 vector, random salts, verification and constant-time comparison.
import { describe, expect, it } from 'vitest'
import { hashSecret, isHashedSecret, secretsEqual, verifySecret } from './secret.ts'

// Kong's spec/03-plugins/25-oauth2/05-kdf_spec.lua vector: "tofu" with a fixed salt.
const KONG_HASH = '$pbkdf2-sha512$i=10000,l=32$YSBsaXR0ZSBiaXQsIGp1c3QgYSBsaXR0bGUgYml0$z6ysNworexAhDELywIDi0ba0B0T7F/MBZ6Ige9lWRYI'

describe('oauth2 secret hashing', () => {
  it("produces Kong's PHC string for Kong's test vector", () => {
    expect(hashSecret('tofu', Buffer.from('a litte bit, just a little bit'))).toBe(KONG_HASH)
  })

  it('salts every hash randomly', () => {
    expect(hashSecret('tofu')).not.toBe(hashSecret('tofu'))
    expect(isHashedSecret(hashSecret('tofu'))).toBe(true)
  })

  it('verifies the right secret against Kong and Postern hashes and rejects others', async () => {
    expect(await verifySecret('tofu', KONG_HASH)).toBe(true)
    expect(await verifySecret('tofu', hashSecret('tofu'))).toBe(true)
    expect(await verifySecret('bun', KONG_HASH)).toBe(false)
    expect(await verifySecret(undefined, KONG_HASH)).toBe(false)
    expect(await verifySecret('tofu', '$pbkdf2-sha512$garbage')).toBe(false)
  })

  it('compares plain secrets only when both are equal strings', () => {
    expect(secretsEqual('abc', 'abc')).toBe(true)
    expect(secretsEqual('abc', 'abd')).toBe(false)
    expect(secretsEqual(undefined, 'abc')).toBe(false)
    expect(secretsEqual('ab', 'abc')).toBe(false)
  })
})
