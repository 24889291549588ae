// Admin authentication and roles (beyond Kong OSS): bearer or Kong-Admin-Token, checked on every request.
import { timingSafeEqual } from 'node:crypto'
import type { Context, MiddlewareHandler } from 'hono'
import { admins, hashAdminToken, isHashedAdminToken, type AdminRole } from '@postern/shared/entities/admins.ts'
import type { AdminDeps } from '../endpoints/context.ts'
import { actionOf, requiredRole, roleAllows } from './roles.ts'

/** Kong Enterprise RBAC's answers (kong/rbac), so Kong tooling recognises them. */
export const UNAUTHORIZED = 'Invalid credentials. Token or User credentials required'
export const forbidden = (method: string) => `you do not have permissions to ${actionOf(method)} this resource`

export interface AdminIdentity {
  username: string
  role: AdminRole
}

/** Context key where the authenticated identity is kept (the audit log reads it). */
export const IDENTITY = 'postern.admin'

export const BOOTSTRAP_ADMIN = 'bootstrap'

function presentedToken(c: Context): string | undefined {
  const kong = c.req.header('kong-admin-token')
  if (kong) return kong
  const auth = c.req.header('authorization')
  const m = auth?.match(/^Bearer\s+(\S+)\s*$/i)
  return m?.[1]
}

const sameHash = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b))

/** Resolve a token to an identity. Hashes are compared, so the comparison time says nothing about the token. */
export async function authenticate(deps: AdminDeps, token: string): Promise<AdminIdentity | undefined> {
  const hash = hashAdminToken(token)
  if (deps.settings.adminToken && sameHash(hash, hashAdminToken(deps.settings.adminToken))) return { username: BOOTSTRAP_ADMIN, role: 'admin' }
  const row = await deps.store.findBy(admins, 'token', hash)
  if (!row || !sameHash(hash, row.token)) return undefined
  return { username: row.username, role: row.role }
}

export const authEnabled = (deps: AdminDeps) => !!deps.settings.adminToken

/** Answer CORS preflights before authentication: browsers never send credentials on them. */
export const preflight: MiddlewareHandler = async (c, next) => {
  if (c.req.method !== 'OPTIONS' || !c.req.header('access-control-request-method')) return next()
  c.header('Access-Control-Allow-Methods', 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS')
  c.header('Access-Control-Allow-Headers', c.req.header('access-control-request-headers') ?? 'Content-Type')
  c.header('Access-Control-Max-Age', '600')
  return c.body(null, 204)
}

export function adminAuth(deps: AdminDeps): MiddlewareHandler {
  return async function adminAuthCheck(c, next) {
    if (authEnabled(deps)) {
      const token = presentedToken(c)
      const who = token ? await authenticate(deps, token) : undefined
      if (!who) return c.json({ message: UNAUTHORIZED }, 401)
      // known before the role check, so the audit trail names who was refused
      c.set(IDENTITY as never, who as never)
      if (!roleAllows(who.role, requiredRole(c.req.method, c.req.path))) return c.json({ message: forbidden(c.req.method) }, 403)
    }
    await next()
    if (/^\/admins(\/|$)/.test(c.req.path)) await hideTokenHashes(c)
  }
}

/** Admin responses never carry a stored token hash; the plaintext appears once, in the creating write. */
async function hideTokenHashes(c: Context): Promise<void> {
  if (!c.res.headers.get('content-type')?.startsWith('application/json')) return
  const body = (await c.res.clone().json()) as any
  const strip = (e: any) => {
    if (e && typeof e === 'object' && isHashedAdminToken(e.token)) delete e.token
  }
  if (Array.isArray(body?.data)) body.data.forEach(strip)
  else strip(body)
  const headers = new Headers(c.res.headers)
  headers.delete('content-length')
  c.res = new Response(JSON.stringify(body), { status: c.res.status, headers })
}
