// The audit trail: one row per admin write (who, when, method, path, status, entity, id, before/after),
// the entity changes taken from the store's own events of that request.
import { AsyncLocalStorage } from 'node:async_hooks'
import { randomBytes, randomUUID } from 'node:crypto'
import type { EventEmitter } from 'eventemitter3'
import type { MiddlewareHandler } from 'hono'
import { getConnInfo } from '@hono/node-server/conninfo'
import { and, desc, eq, lt } from 'drizzle-orm'
import { auditRequests } from '@postern/shared/entities/audit-requests.ts'
import type { ChangeEvent, Logger } from '@postern/shared'
import type { AdminDeps } from '../endpoints/context.ts'
import type { Store } from '../store/store.ts'
import type { Db } from '../store/database.ts'
import { IDENTITY, type AdminIdentity } from '../auth/middleware.ts'
import { redact } from './redact.ts'

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

/** Time-ordered UUID (v7), so listing by id lists by time. */
export function uuidv7(ms = Date.now()): string {
  const b = randomBytes(16)
  b.writeUIntBE(ms, 0, 6)
  b[6] = (b[6] & 0x0f) | 0x70
  b[8] = (b[8] & 0x3f) | 0x80
  const h = b.toString('hex')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
}

/** Events committed by the current request (the store emits synchronously inside the handler's async context). */
const current = new AsyncLocalStorage<ChangeEvent[]>()

export function auditTrail(deps: AdminDeps, bus: EventEmitter | undefined, log: Logger): MiddlewareHandler {
  // the store calls back in the writing request's async context, whatever engine and however the feed publishes
  deps.store.onCommitted.push((events) => current.getStore()?.push(...events))
  const db = deps.store.db
  // the entity as the previous event for its id left it; a create had nothing before it
  const before = async (e: ChangeEvent): Promise<unknown> => {
    if (e.op === 'create') return null
    const rows = await previousEvent(db, e)
    const raw = rows[0]?.payload
    const p = typeof raw === 'string' ? JSON.parse(raw) : (raw ?? null)
    // a delete's own payload is only `{ id }`: an earlier delete means nothing existed before
    return p && Object.keys(p).length > 1 ? p : null
  }
  return async function auditWrite(c, next) {
    if (!WRITES.has(c.req.method)) return next()
    const events: ChangeEvent[] = []
    await current.run(events, next)
    // the request's own entity is written last (cascaded children go first)
    const main = events[events.length - 1]
    const who = c.get(IDENTITY as never) as AdminIdentity | undefined
    let ip: string | null = null
    try {
      ip = getConnInfo(c).remote.address ?? null
    } catch {
      /* in-process requests (app.request) have no socket */
    }
    const now = Date.now()
    const row = {
      id: uuidv7(now),
      request_timestamp: Math.floor(now / 1000),
      request_id: c.req.header('x-request-id') ?? randomUUID().replaceAll('-', ''),
      client_ip: ip,
      rbac_user_name: who?.username ?? null,
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      entity: main?.entity ?? null,
      entity_id: main?.id ?? null,
      before: main ? redact(main.entity, await before(main)) : null,
      after: main && main.op !== 'delete' ? redact(main.entity, main.payload) : null,
      expire_at: Math.floor(now / 1000) + deps.settings.auditRetention,
    }
    try {
      // straight to the table: an audit row is not configuration, so it makes no change event
      await db.orm.insert(db.table(auditRequests)).values(auditRequests.toRow(row as any))
    } catch (err) {
      // an audit failure must not turn a committed write into an error; it is logged (without the body)
      log.error('audit write failed', { method: row.method, path: row.path, error: String(err) })
    }
  }
}

/**
 * The newest event of `e`'s entity before `e` (either engine: through drizzle, not SQL text). The events'
 * (entity, entity_id, version) index answers it; without it, it scanned the log (test: trail.test.ts).
 */
export function previousEvent(db: Db, e: Pick<ChangeEvent, 'entity' | 'id' | 'version'>) {
  const ev = db.events
  return db.orm
    .select({ payload: ev.payload })
    .from(ev)
    .where(and(eq(ev.entity, e.entity), eq(ev.entity_id, e.id), lt(ev.version, e.version)))
    .orderBy(desc(ev.version))
    .limit(1)
}

/** Delete rows past their retention now and then (at most every minute, sooner for short retentions). */
export function startAuditPurge(store: Store, retentionSeconds: number): () => void {
  const purge = () => {
    const t = store.db.table(auditRequests)
    store.db.orm.delete(t).where(lt(t.expire_at, Math.floor(Date.now() / 1000))).then(undefined, () => undefined)
  }
  purge()
  const timer = setInterval(purge, Math.min(retentionSeconds, 60) * 1000)
  timer.unref()
  return () => clearInterval(timer)
}
