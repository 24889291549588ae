// Admin API users (Postern's take on Kong Enterprise's RBAC admins): a role and a token stored hashed.
import { createHash } from 'node:crypto'
import { defineEntity, revealOnce } from '../entity.ts'
import { t } from '../typedefs.ts'

export const ADMIN_ROLES = ['read-only', 'editor', 'admin'] as const
export type AdminRole = (typeof ADMIN_ROLES)[number]

const HASH_PREFIX = 'sha256$'

/** Tokens are 32 random characters (high entropy), so one unsalted SHA-256 makes them unusable if leaked. */
export function hashAdminToken(token: string): string {
  return HASH_PREFIX + createHash('sha256').update(token).digest('hex')
}

export const isHashedAdminToken = (v: unknown): v is string => typeof v === 'string' && v.startsWith(HASH_PREFIX) && v.length === HASH_PREFIX.length + 64

export const admins = defineEntity({
  name: 'admins',
  endpointKey: 'username',
  // runtime data of the admin only: never in snapshots sent to proxies nor in kong.yml exports
  exportable: false,
  fields: {
    id: t.uuid(),
    created_at: t.autoTimestamp(),
    updated_at: t.autoTimestamp(),
    username: t.name({ required: true }),
    role: t.string({ required: true, default: 'read-only', oneOf: ADMIN_ROLES }),
    token: t.autoString({ unique: true }),
    tags: t.tags(),
  },
  // as oauth2's hash_secret: the plaintext is shown once in the write's own response, only the hash is kept
  refine(e) {
    if (typeof e.token === 'string' && !isHashedAdminToken(e.token)) {
      revealOnce(e, { token: e.token })
      e.token = hashAdminToken(e.token)
    }
    return null
  },
})
