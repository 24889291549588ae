// The event feed on a real database shared by two stores (two SQLite connections to one file stand in for
// two admins): every commit reaches each store's bus once, in version order, with no gaps.
import { afterEach, describe, expect, it } from 'vitest'
import { EventEmitter } from 'eventemitter3'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadCatalogue, type ChangeEvent } from '@postern/shared'
import { openSqlite } from './sqlite.ts'
import { Store } from './store.ts'

const open: Store[] = []
const dirs: string[] = []

afterEach(async () => {
  for (const s of open.splice(0)) await s.db.close()
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

async function twoStores() {
  const catalogue = await loadCatalogue(['bundled'])
  const prefix = mkdtempSync(join(tmpdir(), 'feed-'))
  dirs.push(prefix)
  const seen: Record<'a' | 'b', number[]> = { a: [], b: [] }
  const make = async (name: 'a' | 'b') => {
    const bus = new EventEmitter()
    bus.on('events', (events: ChangeEvent[]) => seen[name].push(...events.map((e) => e.version)))
    const s = new Store(openSqlite(prefix), catalogue, bus)
    await s.start()
    open.push(s)
    return s
  }
  const a = await make('a')
  const b = await make('b')
  return { a, b, seen, consumers: catalogue.entity('consumers')! }
}

describe('EventFeed', () => {
  it("delivers another writer's commits on catch-up, then its own, in order", async () => {
    const { a, b, seen, consumers } = await twoStores()
    await b.write(() => b.create(consumers, { username: 'from-b-1' }))
    await b.write(() => b.create(consumers, { username: 'from-b-2' }))
    a.feed.catchUp() // what a NOTIFY does on Postgres
    await a.feed.settled()
    await a.write(() => a.create(consumers, { username: 'from-a' }))
    expect(seen.a).toEqual([1, 2, 3])
    expect(seen.b).toEqual([1, 2])
    expect(a.feed.published.version).toBe(3)
  })

  it('fills the gap before its own commit when it has not heard of the other writer yet', async () => {
    const { a, b, seen, consumers } = await twoStores()
    await b.write(() => b.create(consumers, { username: 'unheard' }))
    const { version } = await a.write(() => a.create(consumers, { username: 'mine' }))
    expect(version).toBe(2)
    await a.feed.settled()
    expect(seen.a).toEqual([1, 2])
    // a late notification for what was already delivered changes nothing
    a.feed.catchUp()
    await a.feed.settled()
    expect(seen.a).toEqual([1, 2])
  })

  it('rolls back a failed write without an event or a version', async () => {
    const { a, seen, consumers } = await twoStores()
    await a.write(() => a.create(consumers, { username: 'taken' }))
    await expect(a.write(() => a.create(consumers, { username: 'taken' }))).rejects.toMatchObject({ code: 'UNIQUE_VIOLATION' })
    const { version } = await a.write(() => a.create(consumers, { username: 'next' }))
    expect(version).toBe(2)
    expect(seen.a).toEqual([1, 2])
  })
})
