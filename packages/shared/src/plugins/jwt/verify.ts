// Signature verification with jose. Keys are imported once per credential row (or JWK) and algorithm
// and remembered in a WeakMap: a changed credential is a new row object, so stale keys simply fall away.
import { compactVerify, importJWK, type JWK } from 'jose'
import { createPublicKey, verify as nodeVerify, type KeyObject } from 'node:crypto'
import { keyMismatch, loadPublicKey, type Algorithm } from './pem.ts'

/** A key ready to verify one algorithm. jose has no Ed448, so those keys go to node:crypto directly. */
export type VerifyKey = { kind: 'jose'; key: CryptoKey } | { kind: 'ed448'; key: KeyObject }

const imported = new WeakMap<object, Map<string, Promise<VerifyKey | null>>>()

function memo(owner: object, id: string, load: () => Promise<VerifyKey | null>): Promise<VerifyKey | null> {
  let byId = imported.get(owner)
  if (!byId) imported.set(owner, (byId = new Map()))
  let p = byId.get(id)
  if (!p) byId.set(id, (p = load().catch(() => null)))
  return p
}

const HASH: Record<string, string> = { HS256: 'SHA-256', HS384: 'SHA-384', HS512: 'SHA-512' }

/**
 * `secret_is_base64` secrets: Kong decodes base64url strictly; we also take the standard alphabet, the
 * commonest way such secrets are produced (spec §4, #13356). Null when it is not base64 at all.
 */
export function decodeSecret(secret: string): Buffer | null {
  const body = secret.replace(/=+$/, '')
  if (!/^[A-Za-z0-9_+/-]*$/.test(body) || body.length % 4 === 1) return null
  return Buffer.from(body.replace(/\+/g, '-').replace(/\//g, '_'), 'base64url')
}

/** An HMAC key for an HS* credential; `null` when it cannot be imported. */
export function hmacKey(owner: object, secret: Uint8Array, alg: Algorithm, b64: boolean): Promise<VerifyKey | null> {
  return memo(owner, `${alg}|${b64}`, async () => {
    const key = await crypto.subtle.importKey('raw', new Uint8Array(secret), { name: 'HMAC', hash: HASH[alg] }, false, ['verify'])
    return { kind: 'jose', key }
  })
}

async function fromKeyObject(ko: KeyObject, alg: Algorithm): Promise<VerifyKey | null> {
  if (keyMismatch(ko, alg)) return null
  if (ko.asymmetricKeyType === 'ed448') return { kind: 'ed448', key: ko }
  const key = await importJWK(ko.export({ format: 'jwk' }) as JWK, alg)
  return { kind: 'jose', key: key as CryptoKey }
}

/** The credential's PEM as a verification key; null when unusable for `alg`. */
export function pemKey(owner: object, pem: string, alg: Algorithm): Promise<VerifyKey | null> {
  return memo(owner, alg, async () => {
    const ko = loadPublicKey(pem)
    return ko ? fromKeyObject(ko, alg) : null
  })
}

/** A JWK from a key set as a verification key; null when unusable for `alg`. */
export function jwkKey(jwk: JWK, alg: Algorithm): Promise<VerifyKey | null> {
  return memo(jwk, alg, async () => {
    if (jwk.alg !== undefined && jwk.alg !== alg) return null
    return fromKeyObject(createPublicKey({ key: jwk as any, format: 'jwk' }), alg)
  })
}

/**
 * Whether `token` carries a valid `alg` signature by `key`. Any failure (wrong length ES or PS signature,
 * unusable key, jose refusing the key) is a plain false: Kong answers 500 for some of these, we say 401.
 */
export async function verifySignature(token: string, alg: Algorithm, key: VerifyKey): Promise<boolean> {
  try {
    if (key.kind === 'ed448') {
      const dot = token.lastIndexOf('.')
      return nodeVerify(null, Buffer.from(token.slice(0, dot)), key.key, Buffer.from(token.slice(dot + 1), 'base64url'))
    }
    await compactVerify(token, key.key, { algorithms: [alg] })
    return true
  } catch {
    return false
  }
}
