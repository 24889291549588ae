// Audit rows of admin writes (Kong Enterprise's /audit/requests): written by the admin only, never configuration.
import { defineEntity } from '../entity.ts'
import { t } from '../typedefs.ts'

export const auditRequests = defineEntity({
  name: 'audit_requests',
  exportable: false,
  // served by a read-only endpoint of its own (/audit/requests), never by the generated CRUD endpoints
  adminApi: false,
  fields: {
    id: t.uuid(),
    request_timestamp: t.autoTimestamp(),
    request_id: t.string(),
    client_ip: t.string(),
    rbac_user_name: t.string(),
    method: t.string({ required: true }),
    path: t.string({ required: true }),
    status: t.integer({ required: true }),
    entity: t.string(),
    entity_id: t.string(),
    before: t.record(),
    after: t.record(),
    /** Purge deadline in epoch seconds (the retention setting at write time); `ttl` on the wire is what is left. */
    expire_at: t.integer(),
  },
})
