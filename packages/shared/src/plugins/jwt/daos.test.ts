// jwt_secrets validation: Kong's generated fields and conditional PEM check, plus key-type matching.
import { describe, expect, it } from 'vitest'
import { generateKeyPairSync } from 'node:crypto'
import { PosternError } from '../../errors.ts'
import { jwtSecrets } from './daos.ts'
import { keyPair, sharedKeyPair } from './testing.ts'

const CONSUMER = { id: '5f6e1ab6-4b6e-4b0b-9a3a-1f0c9f1e2d3c' }
const ctx = { plugins: new Map(), op: 'insert' as const }
const validate = (input: Record<string, unknown>) => jwtSecrets.validate({ consumer: CONSUMER, ...input }, ctx)
const fieldsOf = (input: Record<string, unknown>) => {
  try {
    validate(input)
  } catch (e) {
    if (e instanceof PosternError) return e.fields
    throw e
  }
  throw new Error('expected a schema violation')
}
const CONDITIONAL = ["failed conditional validation given value of field 'algorithm'"]
const rsa = sharedKeyPair('RS256')

describe('jwt_secrets', () => {
  it('generates a 32-character alphanumeric key and secret and defaults to HS256', () => {
    const e = validate({})
    expect(e.key).toMatch(/^[A-Za-z0-9]{32}$/)
    expect(e.secret).toMatch(/^[A-Za-z0-9]{32}$/)
    expect(e.algorithm).toBe('HS256')
    expect(e.rsa_public_key).toBeNull()
    expect(e.jwks_uri).toBeNull()
  })

  it('requires rsa_public_key for RS256 with Kong conditional message', () => {
    expect(fieldsOf({ algorithm: 'RS256' })).toEqual({ rsa_public_key: 'required field missing', '@entity': CONDITIONAL })
  })

  it('requires the key for ES256 too, where Kong accepts none', () => {
    expect(fieldsOf({ algorithm: 'ES256' })).toEqual({ rsa_public_key: 'required field missing', '@entity': CONDITIONAL })
  })

  it('answers invalid key for text that is not a key', () => {
    expect(fieldsOf({ algorithm: 'RS256', rsa_public_key: 'test' })).toEqual({ rsa_public_key: 'invalid key', '@entity': CONDITIONAL })
  })

  it('accepts a PEM with CRLF line endings, a PKCS#1 key and a private key, as OpenSSL does', () => {
    expect(validate({ algorithm: 'RS256', rsa_public_key: rsa.publicPem.replace(/\n/g, '\r\n') }).algorithm).toBe('RS256')
    expect(validate({ algorithm: 'RS512', rsa_public_key: rsa.publicKey.export({ type: 'pkcs1', format: 'pem' }) }).algorithm).toBe('RS512')
    expect(validate({ algorithm: 'PS256', rsa_public_key: rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }) }).algorithm).toBe('PS256')
  })

  it('rejects a key whose type does not fit the algorithm', () => {
    const ec = keyPair('ES256')
    expect(fieldsOf({ algorithm: 'RS256', rsa_public_key: ec.publicPem })).toEqual({ rsa_public_key: 'invalid key: RS256 needs an RSA key, got ec', '@entity': CONDITIONAL })
    expect(fieldsOf({ algorithm: 'ES384', rsa_public_key: ec.publicPem })).toEqual({ rsa_public_key: 'invalid key: ES384 needs an EC P-384 key', '@entity': CONDITIONAL })
    expect(fieldsOf({ algorithm: 'EdDSA', rsa_public_key: rsa.publicPem })).toEqual({ rsa_public_key: 'invalid key: EdDSA needs an Ed25519 or Ed448 key', '@entity': CONDITIONAL })
  })

  it('accepts each algorithm with a matching key', () => {
    for (const alg of ['ES256', 'ES384', 'ES512', 'EdDSA'] as const) expect(validate({ algorithm: alg, rsa_public_key: keyPair(alg).publicPem }).algorithm).toBe(alg)
    expect(validate({ algorithm: 'EdDSA', rsa_public_key: keyPair('EdDSA', { ed448: true }).publicPem }).algorithm).toBe('EdDSA')
  })

  it('rejects RSA keys shorter than 2048 bits, which jose cannot use', () => {
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' })
    expect(fieldsOf({ algorithm: 'RS256', rsa_public_key: small })).toEqual({ rsa_public_key: 'invalid key: RSA keys must have at least 2048 bits', '@entity': CONDITIONAL })
  })

  it('does not need a PEM when the credential names a jwks_uri', () => {
    expect(validate({ algorithm: 'RS256', jwks_uri: 'https://idp.example/.well-known/jwks.json' }).rsa_public_key).toBeNull()
    expect(fieldsOf({ algorithm: 'RS256', jwks_uri: 'not a url' })).toEqual({ jwks_uri: "cannot parse 'not a url'" })
  })

  it('rejects an unknown algorithm', () => {
    expect(fieldsOf({ algorithm: 'none' })).toEqual({ algorithm: 'expected one of: HS256, HS384, HS512, RS256, RS384, RS512, ES256, ES384, ES512, PS256, PS384, PS512, EdDSA' })
  })
})
