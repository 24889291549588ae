// PEM public keys of jwt_secrets: loaded with node:crypto (as Kong loads them with OpenSSL) and checked
// against the credential's algorithm, so a wrong key fails at the admin rather than on every request.
import { createPublicKey, X509Certificate, type KeyObject } from 'node:crypto'

export const ALGORITHMS = [
  'HS256', 'HS384', 'HS512', 'RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512', 'PS256', 'PS384', 'PS512', 'EdDSA',
] as const
export type Algorithm = (typeof ALGORITHMS)[number]

export const isAlgorithm = (a: unknown): a is Algorithm => typeof a === 'string' && (ALGORITHMS as readonly string[]).includes(a)
export const isSymmetric = (a: string) => a.startsWith('HS')

/** Kong's own message for a key OpenSSL cannot load. */
export const INVALID_KEY = 'invalid key'
// jose refuses RSA keys under 2048 bits (RFC 7518 §3.3); saying so at creation beats a 401 on every request
const MIN_RSA_BITS = 2048
const CURVES: Record<string, string> = { ES256: 'prime256v1', ES384: 'secp384r1', ES512: 'secp521r1' }
const CURVE_NAMES: Record<string, string> = { ES256: 'P-256', ES384: 'P-384', ES512: 'P-521' }

/** A public key from a PEM (SPKI, PKCS#1, a private key, or an X.509 certificate); null when unloadable. */
export function loadPublicKey(pem: string): KeyObject | null {
  try {
    return createPublicKey(pem)
  } catch {
    // FusionAuth's Key Master and most IdPs also offer the certificate; take its key
    try {
      return new X509Certificate(pem).publicKey
    } catch {
      return null
    }
  }
}

/** Why this key cannot verify `alg` tokens, or null when it can. */
export function keyMismatch(key: KeyObject, alg: string): string | null {
  const type = key.asymmetricKeyType
  const family = alg.slice(0, 2)
  if (family === 'RS' || family === 'PS') {
    if (type !== 'rsa') return `${INVALID_KEY}: ${alg} needs an RSA key, got ${type}`
    if ((key.asymmetricKeyDetails?.modulusLength ?? 0) < MIN_RSA_BITS) return `${INVALID_KEY}: RSA keys must have at least ${MIN_RSA_BITS} bits`
    return null
  }
  if (family === 'ES') {
    if (type !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== CURVES[alg]) return `${INVALID_KEY}: ${alg} needs an EC ${CURVE_NAMES[alg]} key`
    return null
  }
  if (alg === 'EdDSA') return type === 'ed25519' || type === 'ed448' ? null : `${INVALID_KEY}: EdDSA needs an Ed25519 or Ed448 key`
  return null
}

/** Admin-side validation of `rsa_public_key` for an asymmetric algorithm. */
export function pemProblem(pem: string, alg: string): string | null {
  const key = loadPublicKey(pem)
  return key ? keyMismatch(key, alg) : INVALID_KEY
}
