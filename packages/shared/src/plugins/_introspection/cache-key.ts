// Cache keys for introspection answers: plugin instance + config fingerprint + SHA-256 of the token, so
// the raw token (a bearer secret, RFC 9700 §4.9.3) never sits in the cache or its key.
import { hash } from 'node:crypto'

/** One-shot (node ≥ 20.12): no Hash object per request, as the jwt plugin's verified-token cache. */
export function sha256Hex(value: string): string {
  return hash('sha256', value, 'hex')
}

/**
 * A short digest of the settings that change what an identity provider answers (endpoint, client). It is
 * part of the key so that editing an instance's endpoint or client never serves answers from the old one.
 */
export function configFingerprint(...parts: Array<string | null | undefined>): string {
  return sha256Hex(parts.map((p) => p ?? '').join('\n')).slice(0, 16)
}

/** `<plugin>:<instance id>:<fingerprint>:<sha256(token)>`. */
export function tokenCacheKey(plugin: string, instanceId: string, fingerprint: string, token: string): string {
  return `${plugin}:${instanceId}:${fingerprint}:${sha256Hex(token)}`
}
