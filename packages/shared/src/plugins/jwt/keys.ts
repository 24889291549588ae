// Which key verifies a token: the credential's secret (HS*), its JWKS or the plugin's JWKS by `kid`,
// else its pinned PEM. "missing" is Kong's `Invalid key/secret`; an empty list ends as `Invalid signature`.
import type { JwksCache, JwksTiming } from './jwks.ts'
import { isSymmetric, type Algorithm } from './pem.ts'
import { decodeSecret, hmacKey, jwkKey, pemKey, type VerifyKey } from './verify.ts'

export interface Credential {
  id: string
  secret: string | null
  rsa_public_key: string | null
  jwks_uri?: string | null
  [k: string]: unknown
}

export interface KeyOptions extends JwksTiming {
  secretIsBase64: boolean
  /** The plugin's own JWKS, consulted for tokens with a `kid` when the credential has no `jwks_uri`. */
  jwksUri: string | null
}

export type Keys = 'missing' | { keys: VerifyKey[]; keySet?: { uri: string; set: object } }

const present = (k: VerifyKey | null): k is VerifyKey => k !== null

export async function keysFor(cred: Credential, alg: Algorithm, kid: string | undefined, o: KeyOptions, jwks: JwksCache): Promise<Keys> {
  if (isSymmetric(alg)) {
    if (!cred.secret) return 'missing'
    const bytes = o.secretIsBase64 ? decodeSecret(cred.secret) : Buffer.from(cred.secret)
    if (!bytes) return 'missing'
    const key = await hmacKey(cred, bytes, alg, o.secretIsBase64)
    return { keys: key ? [key] : [] }
  }
  // a credential's own JWKS applies to every token; the plugin's only to tokens naming a kid
  const uri = cred.jwks_uri || (kid !== undefined ? o.jwksUri : null)
  if (uri) {
    const found = await jwks.keys(uri, alg, kid, o)
    if (found && found.keys.length) {
      const keys = (await Promise.all(found.keys.map((k) => jwkKey(k, alg)))).filter(present)
      if (keys.length) return { keys, keySet: { uri, set: found.set } }
    }
    // kid not in the set (or the issuer never answered): the pinned PEM, if any, is the fallback
    if (!cred.rsa_public_key) return { keys: [] }
  }
  if (!cred.rsa_public_key) return 'missing'
  const key = await pemKey(cred, cred.rsa_public_key, alg)
  return { keys: key ? [key] : [] }
}
