// oauth2 entities (Kong's oauth2/daos.lua): client credentials in the config; codes and tokens as runtime data.
import { defineEntity, revealOnce } from '../../entity.ts'
import { t } from '../../typedefs.ts'
import { hashSecret, isHashedSecret } from './secret.ts'

/** Kong accepts only absolute URIs with a scheme and a host, and without a fragment (LuaSocket url.parse). */
export function checkRedirectUri(uri: string): string | null {
  let parsed: URL
  try {
    parsed = new URL(uri)
  } catch {
    return `cannot parse '${uri}'`
  }
  if (!parsed.host) return `cannot parse '${uri}'`
  if (uri.includes('#')) return `fragment not allowed in '${uri}'`
  return null
}

const nonEmpty = (v: unknown) => v !== undefined && v !== null && v !== '' && !(Array.isArray(v) && v.length === 0)

/**
 * Kong's transformation check (schema `run_transformation_checks`: input hash_secret, needs client_secret):
 * a PATCH that sets one of them without the other is refused, since the secret could not be hashed (or
 * un-hashed) consistently. A client_secret equal to the stored one alone does not count as a change.
 */
function partialSecretPatch(patch: Readonly<Record<string, unknown>>, previous?: Readonly<Record<string, unknown>>): string | null {
  const secretChanged = !previous || patch.client_secret !== previous.client_secret
  if (!nonEmpty(patch.hash_secret) && !secretChanged) return null
  const set = [nonEmpty(patch.hash_secret), nonEmpty(patch.client_secret)].filter(Boolean).length
  return set === 1 ? "all or none of these fields must be set: 'hash_secret', 'client_secret'" : null
}

export const oauth2Credentials = defineEntity({
  name: 'oauth2_credentials',
  adminPath: 'oauth2',
  nestedPath: 'oauth2',
  endpointKey: 'client_id',
  parent: 'consumers',
  fields: {
    ...t.credential(),
    name: t.string({ required: true }),
    client_id: t.autoString({ unique: true }),
    client_secret: t.autoString(),
    hash_secret: t.boolean({ required: true, default: false }),
    redirect_uris: t.array(t.string({ check: checkRedirectUri })),
    tags: t.tags(),
    client_type: t.string({ required: true, default: 'confidential', oneOf: ['confidential', 'public'] }),
  },
  // Kong's on_write transformation: with hash_secret the stored (and returned) secret is the PBKDF2 hash.
  // An already hashed secret (a PATCH of another field) is kept as it is.
  refine(e, ctx) {
    const partial = ctx.op === 'update' && ctx.patch ? partialSecretPatch(ctx.patch, ctx.previous) : null
    if (partial) return { '@entity': [partial] }
    if (e.hash_secret && typeof e.client_secret === 'string' && !isHashedSecret(e.client_secret)) {
      // the plaintext is shown once, in this write's response; only the hash is stored and sent to proxies
      revealOnce(e, { client_secret: e.client_secret })
      e.client_secret = hashSecret(e.client_secret)
    }
    return null
  },
})

/**
 * Row TTLs: Kong deletes codes and tokens through database TTLs. Here `purge_at` (epoch seconds, null =
 * never) carries the TTL; the runtime store hides rows past it and purges them in the background.
 */
const purgeAt = () => t.integer()

export const oauth2AuthorizationCodes = defineEntity({
  name: 'oauth2_authorization_codes',
  exportable: false,
  adminApi: false, // Kong exposes no admin API for codes
  fields: {
    id: t.uuid(),
    created_at: t.autoTimestamp(),
    service: t.foreign('services', { onDelete: 'cascade' }),
    credential: t.foreign('oauth2_credentials', { required: true, onDelete: 'cascade' }),
    code: t.autoString({ unique: true }),
    authenticated_userid: t.string(),
    scope: t.string(),
    challenge: t.string(),
    challenge_method: t.string({ oneOf: ['S256'] }),
    plugin: t.foreign('plugins', { onDelete: 'cascade' }),
    purge_at: purgeAt(),
  },
})

export const oauth2Tokens = defineEntity({
  name: 'oauth2_tokens',
  endpointKey: 'access_token',
  exportable: false,
  fields: {
    id: t.uuid(),
    created_at: t.autoTimestamp(),
    service: t.foreign('services', { onDelete: 'cascade' }),
    credential: t.foreign('oauth2_credentials', { required: true, onDelete: 'cascade' }),
    token_type: t.string({ required: true, default: 'bearer', oneOf: ['bearer'] }),
    expires_in: t.integer({ required: true }),
    access_token: t.autoString({ unique: true }),
    refresh_token: t.string({ unique: true }),
    authenticated_userid: t.string(),
    scope: t.string(),
    purge_at: purgeAt(),
  },
})
