// Lookup indexes follow their tables: carried over to the next configuration while a table is unchanged,
// rebuilt from the new rows once it changed (ConfigState replaces a table's Map on write).
import { describe, expect, it } from 'vitest'
import { loadCatalogue, type Entity, type Logger } from '@postern/shared'
import { ConfigState } from './state.ts'
import { RuntimeConfig } from './runtime.ts'
import { TableIndexes } from './indexes.ts'

/** A table that counts full iterations (an index build iterates it once). */
class Counted extends Map<string, Entity> {
  scans = 0
  override values() {
    this.scans++
    return super.values()
  }
}

const row = (id: string, extra: Record<string, unknown>) => ({ id, ...extra }) as Entity

describe('TableIndexes', () => {
  it('carries an index over an unchanged table and rebuilds the one of a changed table', () => {
    const keys = new Counted([['k1', row('k1', { key: 'alpha' })]])
    const aclsBefore = new Counted([['a1', row('a1', { consumer: { id: 'c1' }, group: 'x' })]])
    const before = new TableIndexes((n) => (n === 'keys' ? keys : aclsBefore))
    expect(before.find('keys', 'key', 'alpha')?.id).toBe('k1')
    expect(before.filter('acls', 'consumer', 'c1').map((r) => r.id)).toEqual(['a1'])
    expect([keys.scans, aclsBefore.scans]).toEqual([1, 1])

    const aclsAfter = new Counted([...aclsBefore, ['a2', row('a2', { consumer: { id: 'c1' }, group: 'y' })]])
    const after = new TableIndexes((n) => (n === 'keys' ? keys : aclsAfter))
    after.carryOver(before)
    expect(after.find('keys', 'key', 'alpha')?.id).toBe('k1')
    expect(keys.scans).toBe(1) // the same Map: its index came along
    expect(after.filter('acls', 'consumer', 'c1').map((r) => r.id)).toEqual(['a1', 'a2'])
    expect(aclsAfter.scans).toBe(1) // a new Map: indexed afresh
    expect(before.filter('acls', 'consumer', 'c1').map((r) => r.id)).toEqual(['a1']) // the old configuration is untouched
  })
})

describe('RuntimeConfig lookups across configurations', () => {
  const log = { debug() {}, info() {}, warn() {}, error() {}, child() { return log } } as unknown as Logger

  it('sees consumers and credentials as of its own version, by id, username and key', async () => {
    const catalogue = await loadCatalogue(['bundled'])
    const state = new ConfigState()
    state.load({
      version: 1,
      hash: 'h1',
      entities: {
        consumers: [row('c1', { username: 'ann', custom_id: null })],
        keyauth_credentials: [row('k1', { key: 'ann-key', consumer: { id: 'c1' } })],
        services: [row('s1', { name: 's', host: 'up.test', port: 80, protocol: 'http', path: null, enabled: true })],
      },
    } as any)
    const one = new RuntimeConfig(state, catalogue, log)
    expect(one.find('keyauth_credentials', 'key', 'ann-key')?.id).toBe('k1')
    expect(one.loadConsumer('ann')?.id).toBe('c1')

    // a change elsewhere (a service renamed): same consumers and credentials
    expect(state.apply([{ version: 2, hash: 'h2', entity: 'services', op: 'update', id: 's1', payload: row('s1', { name: 't', host: 'up.test', port: 80, protocol: 'http', path: null, enabled: true }) }])).toBe(true)
    const two = new RuntimeConfig(state, catalogue, log, one)
    expect(two.services.get('s1')?.name).toBe('t')
    expect(one.services.get('s1')?.name).toBe('s')
    expect(two.find('keyauth_credentials', 'key', 'ann-key')?.id).toBe('k1')
    expect(two.loadConsumer('ann')?.id).toBe('c1')

    // consumer renamed and key replaced: the new configuration sees the new rows, the old one keeps its own
    expect(
      state.apply([
        { version: 3, hash: 'h3', entity: 'consumers', op: 'update', id: 'c1', payload: row('c1', { username: 'bea', custom_id: null }) },
        { version: 4, hash: 'h4', entity: 'keyauth_credentials', op: 'update', id: 'k1', payload: row('k1', { key: 'bea-key', consumer: { id: 'c1' } }) },
      ]),
    ).toBe(true)
    const three = new RuntimeConfig(state, catalogue, log, two)
    expect(three.loadConsumer('ann')).toBeNull()
    expect(three.loadConsumer('bea')?.id).toBe('c1')
    expect(three.find('keyauth_credentials', 'key', 'ann-key')).toBeUndefined()
    expect(three.find('keyauth_credentials', 'key', 'bea-key')?.id).toBe('k1')
    expect(two.loadConsumer('ann')?.id).toBe('c1')
    expect(two.find('keyauth_credentials', 'key', 'ann-key')?.id).toBe('k1')
  })
})
