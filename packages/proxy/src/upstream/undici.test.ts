// The proxy's deep undici imports are the classes undici's index exports, and dispatchers carry its API.
import * as undici from 'undici'
import { describe, expect, it } from 'vitest'
import { Agent, Pool, buildConnector, errors } from './undici.ts'

describe('undici parts', () => {
  it('are the values the index exports', () => {
    expect(Pool).toBe(undici.Pool)
    expect(Agent).toBe(undici.Agent)
    expect(errors).toBe(undici.errors)
    expect(buildConnector).toBe(undici.buildConnector)
  })

  it('give dispatchers the request API without the index', () => {
    for (const m of ['request', 'stream', 'pipeline', 'connect', 'upgrade']) expect(typeof (Pool.prototype as any)[m]).toBe('function')
  })
})
