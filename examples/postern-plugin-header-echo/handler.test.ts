// Unit tests for header-echo with a fake ctx: the plugin sees the world only through ctx, so no gateway runs.
import { describe, expect, it } from 'vitest'
import type { Exit, PdkResponse, PluginContext } from '@postern/shared'
import plugin from './index.ts'

/** The few parts of PluginContext this plugin touches; everything else would throw if it were used. */
function fakeContext(config: Record<string, unknown>, headers: Record<string, string>) {
  const upstream: Record<string, string> = {}
  const compiled = plugin.compile!(plugin.schema.parse(config))
  const ctx = {
    config: compiled,
    request: { getHeader: (name: string) => headers[name.toLowerCase()] },
    upstream: { setHeader: (name: string, value: string) => void (upstream[name] = value) },
    exit: (status: number, body?: unknown, hdrs?: Record<string, string>, reason?: string): Exit => ({ exit: true, status, body, headers: hdrs, reason }),
  } as unknown as PluginContext
  return { ctx, upstream }
}

const response = (): PdkResponse => ({ status: 200, headers: {}, fromGateway: false })

describe('header-echo plugin', () => {
  it('fills in the defaults of an empty config', () => {
    expect(plugin.schema.parse({})).toEqual({ headers: ['x-request-id'], prefix: 'X-Echo-', required: false, upstream_header: null })
  })

  it('rejects an unknown config key', () => {
    expect(plugin.schema.safeParse({ header: 'x' }).success).toBe(false)
  })

  it('copies the configured request headers onto the response under the prefix', () => {
    const { ctx } = fakeContext({ headers: ['X-Trace'] }, { 'x-trace': 'abc' })
    const res = response()
    plugin.handler.headerFilter!(ctx, res)
    expect(res.headers).toEqual({ 'X-Echo-x-trace': 'abc' })
  })

  it('answers 400 with a reason when a required header is missing', async () => {
    const { ctx } = fakeContext({ headers: ['x-trace'], required: true }, {})
    const exit = (await plugin.handler.access!(ctx)) as Exit
    expect(exit).toMatchObject({ status: 400, body: { message: 'missing header: x-trace' }, reason: 'header-echo.missing' })
  })

  it('lets a request with its required header through and marks it for the upstream', async () => {
    const { ctx, upstream } = fakeContext({ headers: ['x-trace'], required: true, upstream_header: 'x-echoed' }, { 'x-trace': '1' })
    expect(await plugin.handler.access!(ctx)).toBeUndefined()
    expect(upstream).toEqual({ 'x-echoed': 'header-echo' })
  })
})
