// The change-event log: every committed write appends rows here in the same transaction; versions are
// the autoincrement key, and each row's hash chains the previous one so any node can verify its copy.
import { createHash } from 'node:crypto'
import type Database from 'better-sqlite3'
import type { ChangeEvent } from '@postern/shared/protocol/index.ts'

export const EMPTY_HASH = '0'.repeat(32)

export function chainHash(prev: string, e: Omit<ChangeEvent, 'hash'>): string {
  return createHash('md5').update(`${prev}|${e.version}|${e.entity}|${e.op}|${e.id}|${JSON.stringify(e.payload)}`).digest('hex')
}

export class EventLog {
  private insert: Database.Statement
  private headStmt: Database.Statement
  private sinceStmt: Database.Statement
  private minStmt: Database.Statement
  constructor(private sqlite: Database.Database) {
    this.insert = sqlite.prepare('INSERT INTO postern_events (entity, op, entity_id, payload, hash, created_at) VALUES (?, ?, ?, ?, ?, ?)')
    this.headStmt = sqlite.prepare('SELECT version, hash FROM postern_events ORDER BY version DESC LIMIT 1')
    this.sinceStmt = sqlite.prepare('SELECT version, entity, op, entity_id AS id, payload, hash FROM postern_events WHERE version > ? ORDER BY version LIMIT ?')
    this.minStmt = sqlite.prepare('SELECT min(version) AS v FROM postern_events')
  }

  head(): { version: number; hash: string } {
    const row = this.headStmt.get() as { version: number; hash: string } | undefined
    return row ?? { version: 0, hash: EMPTY_HASH }
  }

  /** Append one event; must run inside the write transaction. */
  append(entity: string, op: ChangeEvent['op'], id: string, payload: ChangeEvent['payload']): ChangeEvent {
    const head = this.head()
    const version = head.version + 1
    const base = { version, entity, op, id, payload }
    const hash = chainHash(head.hash, base)
    const info = this.insert.run(entity, op, id, JSON.stringify(payload), hash, Math.floor(Date.now() / 1000))
    if (Number(info.lastInsertRowid) !== version) throw new Error('event version out of sequence')
    return { ...base, hash }
  }

  /** The hash recorded at `version` (undefined when that event is not kept). */
  hashAt(version: number): string | undefined {
    if (version === 0) return EMPTY_HASH
    return (this.sqlite.prepare('SELECT hash FROM postern_events WHERE version = ?').get(version) as { hash: string } | undefined)?.hash
  }

  /** Events after `version`, or null when they are no longer all retained (then a snapshot is needed). */
  since(version: number, limit = 100000): ChangeEvent[] | null {
    const min = (this.minStmt.get() as { v: number | null }).v
    if (min !== null && version < min - 1) return null
    return (this.sinceStmt.all(version, limit) as any[]).map((r) => ({ ...r, payload: JSON.parse(r.payload) }))
  }
}
