// The change-event log: every committed write appends rows here in the same transaction, with versions
// taken from the transaction's locked head; each row's hash chains the previous one so any node can verify
// its copy. Served by both engines through drizzle.
import { createHash } from 'node:crypto'
import { asc, eq, gt, min } from 'drizzle-orm'
import type { ChangeEvent } from '@postern/shared/protocol/index.ts'
import type { Db, Head, Tx } from './database.ts'

export const EMPTY_HASH = '0'.repeat(32)

export function chainHash(prev: string, e: Omit<ChangeEvent, 'hash'>): string {
  return createHash('md5').update(`${prev}|${e.version}|${e.entity}|${e.op}|${e.id}|${JSON.stringify(e.payload)}`).digest('hex')
}

export class EventLog {
  constructor(private db: Db) {}

  head(): Promise<Head> {
    return this.db.head()
  }

  /** Append one event inside the write transaction `tx`; advances `tx.head`. */
  async append(tx: Tx, entity: string, op: ChangeEvent['op'], id: string, payload: ChangeEvent['payload']): Promise<ChangeEvent> {
    const version = tx.head.version + 1
    const base = { version, entity, op, id, payload }
    const hash = chainHash(tx.head.hash, base)
    await tx.q.insert(this.db.events).values({ version, entity, op, entity_id: id, payload, hash, created_at: Math.floor(Date.now() / 1000) })
    tx.head = { version, hash }
    return { ...base, hash }
  }

  /** The hash recorded at `version` (undefined when that event is not kept). */
  async hashAt(version: number): Promise<string | undefined> {
    if (version === 0) return EMPTY_HASH
    const t = this.db.events
    const rows = await this.db.orm.select({ hash: t.hash }).from(t).where(eq(t.version, version)).limit(1)
    return rows[0]?.hash
  }

  /** Events after `version`, or null when they are no longer all retained (then a snapshot is needed). */
  async since(version: number, limit = 100000): Promise<ChangeEvent[] | null> {
    const t = this.db.events
    const lowest = (await this.db.orm.select({ v: min(t.version) }).from(t))[0]?.v
    if (lowest !== null && lowest !== undefined && version < Number(lowest) - 1) return null
    const rows = await this.db.orm
      .select({ version: t.version, entity: t.entity, op: t.op, id: t.entity_id, payload: t.payload, hash: t.hash })
      .from(t)
      .where(gt(t.version, version))
      .orderBy(asc(t.version))
      .limit(limit)
    return rows.map((r: any) => ({ ...r, version: Number(r.version) }))
  }
}
