// The audit trail's lookup of an entity's previous event: answered by the events' (entity, entity_id,
// version) index on SQLite, so an admin write costs the same with 40 events in the log or 40,000.
import { afterEach, describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openSqlite } from '../store/sqlite.ts'
import { previousEvent } from './trail.ts'

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

describe('previousEvent', () => {
  it('uses the postern_events_entity_idx index (no scan of the event log)', async () => {
    const prefix = mkdtempSync(join(tmpdir(), 'trail-'))
    dirs.push(prefix)
    const db = openSqlite(prefix)
    try {
      const sqlite = (db.orm as any).$client
      const q = previousEvent(db, { entity: 'routes', id: '7d0b5c1e-0000-4000-8000-000000000000', version: 10 }).toSQL()
      const plan = sqlite.prepare(`EXPLAIN QUERY PLAN ${q.sql}`).all(...q.params).map((r: { detail: string }) => r.detail).join('\n')
      expect(plan).toMatch(/USING (COVERING )?INDEX postern_events_entity_idx/)
      expect(plan).not.toMatch(/SCAN postern_events/)
      // and it finds the newest earlier event of that entity
      const insert = sqlite.prepare('INSERT INTO postern_events (version, entity, op, entity_id, payload, hash, created_at) VALUES (?, ?, ?, ?, ?, ?, 0)')
      insert.run(1, 'routes', 'create', 'r1', JSON.stringify({ id: 'r1', name: 'one' }), 'h1')
      insert.run(2, 'services', 'create', 'r1', JSON.stringify({ id: 'r1', name: 'service' }), 'h2')
      insert.run(3, 'routes', 'update', 'r1', JSON.stringify({ id: 'r1', name: 'two' }), 'h3')
      insert.run(4, 'routes', 'update', 'r1', JSON.stringify({ id: 'r1', name: 'three' }), 'h4')
      const rows = await previousEvent(db, { entity: 'routes', id: 'r1', version: 4 })
      expect(rows).toEqual([{ payload: { id: 'r1', name: 'two' } }])
    } finally {
      await db.close()
    }
  })
})
