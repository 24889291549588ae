// Signature verification per algorithm, with tokens signed by node:crypto and checked by jose.
import { describe, expect, it } from 'vitest'
import { sign } from 'node:crypto'
import { JwksCache } from './jwks.ts'
import { keysFor, type Credential, type KeyOptions } from './keys.ts'
import type { Algorithm } from './pem.ts'
import { decodeSecret, verifySignature } from './verify.ts'
import { encodeSegment, keyPair, sharedKeyPair, signToken, withSegment } from './testing.ts'

const OPTS: KeyOptions = { secretIsBase64: false, jwksUri: null, refreshInterval: 300, cooldown: 10 }
const noJwks = new JwksCache(async () => {
  throw new Error('no JWKS in these tests')
})
const cred = (c: Partial<Credential>): Credential => ({ id: 'c1', secret: null, rsa_public_key: null, ...c })

async function verifies(c: Credential, alg: Algorithm, token: string, opts = OPTS): Promise<boolean | 'missing'> {
  const keys = await keysFor(c, alg, undefined, opts, noJwks)
  if (keys === 'missing') return 'missing'
  for (const k of keys.keys) if (await verifySignature(token, alg, k)) return true
  return false
}

describe('HS256/384/512', () => {
  for (const alg of ['HS256', 'HS384', 'HS512'] as const) {
    it(`verifies ${alg} with the secret and rejects another secret or a changed payload`, async () => {
      const token = signToken(alg, { iss: 'k' }, 'shh')
      expect(await verifies(cred({ secret: 'shh' }), alg, token)).toBe(true)
      expect(await verifies(cred({ secret: 'other' }), alg, token)).toBe(false)
      expect(await verifies(cred({ secret: 'shh' }), alg, withSegment(token, 1, encodeSegment({ iss: 'x' })))).toBe(false)
    })
  }

  it('decodes base64 secrets in either alphabet when secret_is_base64 is on', async () => {
    const raw = Buffer.from([0xfb, 0xff, 0xfe, 0x01, 0x02])
    const token = signToken('HS256', { iss: 'k' }, raw)
    const b64 = { ...OPTS, secretIsBase64: true }
    expect(await verifies(cred({ secret: raw.toString('base64') }), 'HS256', token, b64)).toBe(true)
    expect(await verifies(cred({ secret: raw.toString('base64url') }), 'HS256', token, b64)).toBe(true)
    expect(await verifies(cred({ secret: 'not base64!' }), 'HS256', token, b64)).toBe('missing')
    expect(decodeSecret('abcde')).toBeNull()
  })
})

describe('asymmetric algorithms', () => {
  const algs = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'] as const
  for (const alg of algs) {
    it(`verifies ${alg} with the PEM and rejects a token signed by another key`, async () => {
      const mine = sharedKeyPair(alg)
      const other = sharedKeyPair(alg, 'other')
      const c = cred({ rsa_public_key: mine.publicPem })
      expect(await verifies(c, alg, signToken(alg, { iss: 'k' }, mine.privateKey))).toBe(true)
      expect(await verifies(c, alg, signToken(alg, { iss: 'k' }, other.privateKey))).toBe(false)
    })
  }

  it('verifies EdDSA with an Ed448 key, which jose lacks', async () => {
    const k = keyPair('EdDSA', { ed448: true })
    expect(await verifies(cred({ rsa_public_key: k.publicPem }), 'EdDSA', signToken('EdDSA', { iss: 'k' }, k.privateKey))).toBe(true)
    expect(await verifies(cred({ rsa_public_key: k.publicPem }), 'EdDSA', signToken('EdDSA', { iss: 'x' }, keyPair('EdDSA', { ed448: true }).privateKey))).toBe(false)
  })

  it('verifies PS256 with a 3072-bit key, where Kong insists on 256-byte signatures', async () => {
    const k = keyPair('PS256', { bits: 3072 })
    expect(await verifies(cred({ rsa_public_key: k.publicPem }), 'PS256', signToken('PS256', { iss: 'k' }, k.privateKey))).toBe(true)
  })

  it('rejects a DER-encoded or truncated ES256 signature instead of failing like Kong', async () => {
    const k = sharedKeyPair('ES256')
    const token = signToken('ES256', { iss: 'k' }, k.privateKey)
    const input = token.slice(0, token.lastIndexOf('.'))
    const der = sign('sha256', Buffer.from(input), k.privateKey).toString('base64url')
    const c = cred({ rsa_public_key: k.publicPem })
    expect(await verifies(c, 'ES256', `${input}.${der}`)).toBe(false)
    expect(await verifies(c, 'ES256', token.slice(0, -4))).toBe(false)
  })

  it('says missing for an asymmetric credential without a key and false for an unusable one', async () => {
    const k = sharedKeyPair('RS256')
    const token = signToken('RS256', { iss: 'k' }, k.privateKey)
    expect(await verifies(cred({}), 'RS256', token)).toBe('missing')
    expect(await verifies(cred({ rsa_public_key: 'garbage' }), 'RS256', token)).toBe(false)
    expect(await verifies(cred({ rsa_public_key: sharedKeyPair('ES256').publicPem }), 'RS256', token)).toBe(false)
  })

  it('imports a credential key once and reuses it', async () => {
    const k = sharedKeyPair('RS256')
    const c = cred({ rsa_public_key: k.publicPem })
    const a = await keysFor(c, 'RS256', undefined, OPTS, noJwks)
    const b = await keysFor(c, 'RS256', undefined, OPTS, noJwks)
    expect(a !== 'missing' && b !== 'missing' && a.keys[0] === b.keys[0]).toBe(true)
  })

  it('never verifies an unsigned token whatever alg it claims', async () => {
    const k = sharedKeyPair('RS256')
    const token = signToken('RS256', { iss: 'k' }, k.privateKey)
    const unsigned = withSegment(withSegment(token, 0, encodeSegment({ alg: 'none' })), 2, '')
    expect(await verifies(cred({ rsa_public_key: k.publicPem }), 'RS256', unsigned)).toBe(false)
    expect(await verifies(cred({ rsa_public_key: k.publicPem }), 'RS256', withSegment(token, 2, ''))).toBe(false)
  })
})
