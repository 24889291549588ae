// Key pairs and token signing for tests, with node:crypto only, so tests check jose against another implementation.
import { createHmac, generateKeyPairSync, sign, constants, type KeyObject } from 'node:crypto'
import type { Algorithm } from './pem.ts'

export interface TestKeyPair {
  alg: Algorithm
  privateKey: KeyObject
  publicKey: KeyObject
  /** SPKI PEM of the public key, as an IdP's "Public Key" download. */
  publicPem: string
}

const CURVE: Record<string, string> = { ES256: 'P-256', ES384: 'P-384', ES512: 'P-521' }

/** A key pair for an asymmetric algorithm (`ed448: true` for Ed448 under EdDSA). */
export function keyPair(alg: Exclude<Algorithm, 'HS256' | 'HS384' | 'HS512'>, opts: { ed448?: boolean; bits?: number } = {}): TestKeyPair {
  const family = alg.slice(0, 2)
  const pair =
    family === 'RS' || family === 'PS'
      ? generateKeyPairSync('rsa', { modulusLength: opts.bits ?? 2048 })
      : family === 'ES'
        ? generateKeyPairSync('ec', { namedCurve: CURVE[alg] })
        : opts.ed448
          ? generateKeyPairSync('ed448')
          : generateKeyPairSync('ed25519')
  return { alg, ...pair, publicPem: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString() }
}

const shared = new Map<string, TestKeyPair>()

/** Like `keyPair`, but one pair per key type and `name` for the whole process: RSA generation is slow. */
export function sharedKeyPair(alg: Parameters<typeof keyPair>[0], name = 'a', opts: { ed448?: boolean } = {}): TestKeyPair {
  const type = alg.startsWith('RS') || alg.startsWith('PS') ? 'rsa' : alg.startsWith('ES') ? alg : opts.ed448 ? 'ed448' : 'ed25519'
  const id = `${type}|${name}`
  let pair = shared.get(id)
  if (!pair) shared.set(id, (pair = keyPair(alg, opts)))
  return { ...pair, alg }
}

const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url')

/** The raw signature of `input` for `alg` (JOSE formats: R||S for ECDSA). */
export function rawSignature(alg: string, input: string, key: KeyObject | string | Buffer): Buffer {
  const bits = alg.slice(2)
  const digest = `sha${bits}`
  if (alg.startsWith('HS')) return createHmac(digest, key as string | Buffer).update(input).digest()
  if (alg.startsWith('RS')) return sign(digest, Buffer.from(input), key as KeyObject)
  if (alg.startsWith('PS')) return sign(digest, Buffer.from(input), { key: key as KeyObject, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: Number(bits) / 8 })
  if (alg.startsWith('ES')) return sign(digest, Buffer.from(input), { key: key as KeyObject, dsaEncoding: 'ieee-p1363' })
  return sign(null, Buffer.from(input), key as KeyObject)
}

/** A compact JWT: `header` is merged over `{ typ: 'JWT', alg }`. */
export function signToken(alg: string, claims: unknown, key: KeyObject | string | Buffer, header: Record<string, unknown> = {}): string {
  const input = `${b64({ typ: 'JWT', alg, ...header })}.${b64(claims)}`
  return `${input}.${rawSignature(alg, input, key).toString('base64url')}`
}

/** Replace one segment of a token (0 header, 1 claims, 2 signature) with raw text. */
export function withSegment(token: string, index: number, text: string): string {
  const parts = token.split('.')
  parts[index] = text
  return parts.join('.')
}

export const encodeSegment = b64
