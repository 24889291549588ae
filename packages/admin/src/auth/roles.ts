// Which role a request needs: reads for read-only, entity writes for editor, /admins and /audit for admin.
import type { AdminRole } from '@postern/shared/entities/admins.ts'

export type Action = 'read' | 'create' | 'update' | 'delete'

const RANK: Record<AdminRole, number> = { 'read-only': 0, editor: 1, admin: 2 }

/** Paths only the `admin` role may touch, even to read: who may manage the gateway and what they did. */
const ADMIN_ONLY = /^\/(admins|audit)(\/|$)/

export function actionOf(method: string): Action {
  switch (method) {
    case 'GET': case 'HEAD': case 'OPTIONS': return 'read'
    case 'POST': return 'create'
    case 'PUT': case 'PATCH': return 'update'
    default: return 'delete'
  }
}

export function requiredRole(method: string, path: string): AdminRole {
  if (ADMIN_ONLY.test(path)) return 'admin'
  return actionOf(method) === 'read' ? 'read-only' : 'editor'
}

export const roleAllows = (role: AdminRole, needed: AdminRole): boolean => RANK[role] >= RANK[needed]
