// Secrets removed from audit snapshots: passwords, client secrets, HMAC/JWT secrets, tokens, private keys.
export const REDACTED = '[REDACTED]'

const ALWAYS = new Set(['password', 'client_secret', 'secret', 'token', 'access_token', 'refresh_token'])

/** `key` is a secret for key-auth credentials and the private key of certificates, but not elsewhere. */
const PER_ENTITY: Record<string, Set<string>> = {
  keyauth_credentials: new Set(['key']),
  certificates: new Set(['key', 'key_alt']),
}

/** A deep copy of `value` with every secret field's value replaced, at any depth (plugin configs included). */
export function redact(entity: string | null, value: unknown): unknown {
  const extra = entity ? PER_ENTITY[entity] : undefined
  const walk = (v: unknown, top: boolean): unknown => {
    if (Array.isArray(v)) return v.map((x) => walk(x, false))
    if (!v || typeof v !== 'object') return v
    const out: Record<string, unknown> = {}
    for (const [k, x] of Object.entries(v)) {
      const secret = ALWAYS.has(k) || (top && extra?.has(k))
      out[k] = secret && x !== null && x !== undefined ? REDACTED : walk(x, false)
    }
    return out
  }
  return walk(value, true)
}
