// The proxy's on-disk configuration: snapshot plus journal replay, torn lines, gaps, and runtime-only rows.
import { describe, expect, it } from 'vitest'
import { mkdtempSync, appendFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ChangeEvent } from '@postern/shared'
import { appendConfigJournal, journalFile, readConfigCache, readText, writeConfigCache } from './cache-file.ts'

const ev = (version: number, entity: string, id: string, payload: Record<string, unknown> = { id }): ChangeEvent => ({ version, hash: `h${version}`, entity, op: 'create', id, payload: payload as any })

describe('config cache', () => {
  it('replays the journal onto the snapshot', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cache-'))
    writeConfigCache(dir, { version: 1, hash: 'h1', entities: { services: [{ id: 's1' }] } })
    appendConfigJournal(dir, [ev(2, 'services', 's2')])
    appendConfigJournal(dir, [ev(3, 'routes', 'r1')])
    const snap = readConfigCache(dir)!
    expect(snap.version).toBe(3)
    expect(snap.hash).toBe('h3')
    expect(snap.entities.services.map((s) => s.id).sort()).toEqual(['s1', 's2'])
    expect(snap.entities.routes.map((r) => r.id)).toEqual(['r1'])
  })

  it('keeps non-ASCII text (names, tags) as written, in the snapshot and in the journal', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cache-'))
    writeConfigCache(dir, { version: 1, hash: 'h1', entities: { services: [{ id: 's1', name: 'café-ünïcødé', tags: ['日本', '🚀'] }] } })
    appendConfigJournal(dir, [ev(2, 'consumers', 'c1', { id: 'c1', username: 'Zoë ✓' })])
    const snap = readConfigCache(dir)!
    expect(snap.entities.services[0]).toMatchObject({ name: 'café-ünïcødé', tags: ['日本', '🚀'] })
    expect(snap.entities.consumers[0]).toMatchObject({ username: 'Zoë ✓' })
    // the ASCII path and the UTF-8 path give what utf8 decoding gives
    for (const text of ['{"a":"plain ascii"}', '{"a":"é\u00e9 ü 🚀"}', 'ÿ', '']) {
      const f = join(dir, 'text.json')
      writeFileSync(f, text, 'utf8')
      expect(readText(f)).toBe(text)
    }
  })

  it('stops at a torn last line or a gap, and starts from empty when only a journal exists', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cache-'))
    appendConfigJournal(dir, [ev(1, 'services', 's1')])
    appendConfigJournal(dir, [ev(3, 'services', 's3')]) // gap: version 2 missing
    appendFileSync(journalFile(dir), '[{"version":4,')
    const snap = readConfigCache(dir)!
    expect(snap.version).toBe(1)
    expect(snap.entities.services.map((s) => s.id)).toEqual(['s1'])
  })

  it('a new snapshot empties the journal', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cache-'))
    appendConfigJournal(dir, [ev(1, 'services', 's1')])
    writeConfigCache(dir, { version: 5, hash: 'h5', entities: {} })
    expect(readConfigCache(dir)!.version).toBe(5)
  })

  it('keeps runtime-only rows out of the replayed configuration', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cache-'))
    appendConfigJournal(dir, [ev(1, 'oauth2_tokens', 't1')])
    const snap = readConfigCache(dir, new Set(['oauth2_tokens']))!
    expect(snap.version).toBe(1)
    expect(snap.entities.oauth2_tokens ?? []).toEqual([])
  })
})
