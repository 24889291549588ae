// GET /audit/requests (Kong Enterprise's shape): newest-last rows, Kong's size/offset/next pagination.
import type { Hono } from 'hono'
import { auditRequests } from '@postern/shared/entities/audit-requests.ts'
import { nowSeconds } from '@postern/shared'
import type { AdminDeps } from '../endpoints/context.ts'
import { listEntities } from '../endpoints/listing.ts'

export function registerAuditEndpoints(app: Hono, deps: AdminDeps): void {
  app.get('/audit/requests', (c) =>
    listEntities(c, deps, auditRequests, {}, '/audit/requests', ({ expire_at, ...row }) => ({
      ...row,
      id: row.id,
      // Kong reports the seconds left before the row is purged
      ttl: expire_at === null ? null : Math.max(0, expire_at - nowSeconds()),
    })),
  )
}
