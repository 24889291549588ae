import { describe, expect, it } from 'vitest'
import { PROXY_ENV, PROXY_NODE_FLAGS, proxyEnv, proxyNodeFlags } from './node-flags.ts'

describe('proxyNodeFlags', () => {
  it('adds the proxy flags to the supervisor’s own', () => {
    expect(proxyNodeFlags(['--enable-source-maps'])).toEqual(['--enable-source-maps', ...PROXY_NODE_FLAGS])
  })

  it('leaves a semi-space flag of the user’s alone, in argv or NODE_OPTIONS', () => {
    expect(proxyNodeFlags(['--max-semi-space-size=32'])).toEqual(['--max-semi-space-size=32'])
    expect(proxyNodeFlags([], '--max-old-space-size=512 --max-semi-space-size=2')).toEqual([])
  })
})

describe('proxyEnv', () => {
  it('adds the proxy environment, keeping what the user set', () => {
    expect(proxyEnv({ PATH: '/bin' })).toEqual({ PATH: '/bin', ...PROXY_ENV })
    expect(proxyEnv({ MALLOC_MMAP_THRESHOLD_: '65536' }).MALLOC_MMAP_THRESHOLD_).toBe('65536')
  })
})
