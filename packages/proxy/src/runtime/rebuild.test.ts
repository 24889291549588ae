// A configuration change re-validates only the plugin rows it touched: an unchanged row's config is parsed
// once and reused, while `compile` still runs on every rebuild (fresh per-instance state, e.g. caches).
import { afterEach, describe, expect, it, vi } from 'vitest'
import { loadCatalogue, type Entity, type Logger } from '@postern/shared'
import { ConfigState } from './state.ts'
import { RuntimeConfig } from './runtime.ts'

const log = { debug() {}, info() {}, warn() {}, error() {}, child() { return log } } as unknown as Logger
const row = (id: string, extra: Record<string, unknown>) => ({ id, ...extra }) as Entity
const service = (name: string) => row('s1', { name, host: 'up.test', port: 80, protocol: 'http', path: null, enabled: true })
const plugin = (id: string, minute: number) => row(id, { name: 'rate-limiting', enabled: true, route: null, service: null, consumer: null, config: { minute, policy: 'local' } })

afterEach(() => {
  vi.restoreAllMocks()
})

describe('RuntimeConfig rebuilds', () => {
  it('parses an unchanged plugin row once, compiles it on every rebuild, and re-parses a changed row', async () => {
    const catalogue = await loadCatalogue(['bundled'])
    const def = catalogue.plugins.get('rate-limiting')!
    const parse = vi.spyOn(def.schema, 'parse')
    const compile = vi.spyOn(def, 'compile')
    const state = new ConfigState()
    state.load({ version: 1, hash: 'h1', entities: { services: [service('a')], plugins: [plugin('p1', 10)] } } as any)
    const one = new RuntimeConfig(state, catalogue, log)
    expect([parse.mock.calls.length, compile.mock.calls.length]).toEqual([1, 1])

    // a change elsewhere: the plugin row is the same object, so no new parse; compile runs again
    expect(state.apply([{ version: 2, hash: 'h2', entity: 'services', op: 'update', id: 's1', payload: service('b') }])).toBe(true)
    const two = new RuntimeConfig(state, catalogue, log, one)
    expect([parse.mock.calls.length, compile.mock.calls.length]).toEqual([1, 2])
    const base = (rt: RuntimeConfig) => rt.chainFor(null, null).find((e) => e.name === 'rate-limiting')!.base!
    expect(base(two).config).not.toBe(base(one).config) // per-configuration instance state, as before

    // the row itself changes: parsed anew, with the new values
    expect(state.apply([{ version: 3, hash: 'h3', entity: 'plugins', op: 'update', id: 'p1', payload: plugin('p1', 20) }])).toBe(true)
    const three = new RuntimeConfig(state, catalogue, log, two)
    expect([parse.mock.calls.length, compile.mock.calls.length]).toEqual([2, 3])
    expect((compile.mock.calls[2][0] as { minute: number }).minute).toBe(20)
    expect(base(three).id).toBe('p1')
  })
})
