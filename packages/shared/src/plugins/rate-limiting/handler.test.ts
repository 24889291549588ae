// rate-limiting's handler with the local policy and a fake ctx: headers, 429, identifiers, windows, failures.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { randomUUID } from 'node:crypto'
import type { Exit, PdkResponse, PluginContext } from '../../pdk/index.ts'
import { schema } from './schema.ts'
import { compile, handler } from './handler.ts'
import type { Compiled, Policy } from './policy.ts'

interface Req {
  ip?: string
  headers?: Record<string, string>
  path?: string
  consumer?: { id: string } | null
  credential?: { id: string } | null
  service?: { id: string } | null
}

const logs: string[] = []
function call(compiled: Compiled, req: Req = {}) {
  const shared: Record<string, unknown> = {}
  const ctx = {
    config: compiled,
    shared,
    service: req.service ?? null,
    request: { clientIp: req.ip ?? '10.0.0.1', path: req.path ?? '/', getHeader: (n: string) => req.headers?.[n.toLowerCase()] },
    client: { getConsumer: () => req.consumer ?? null, getCredential: () => req.credential ?? null },
    log: { error: (m: string) => logs.push(m), warn() {}, info() {}, debug() {} },
    error: (status: number, message: string, headers?: Record<string, string>, reason?: string): Exit => ({ exit: true, status, body: { message }, headers, reason, template: true }),
  } as unknown as PluginContext<Compiled>
  const run = async () => {
    const exit = (await handler.access!(ctx)) as Exit | undefined
    const res: PdkResponse = { status: exit?.status ?? 200, headers: {}, fromGateway: !!exit }
    handler.headerFilter!(ctx, res)
    return { status: res.status, body: exit?.body, headers: res.headers as Record<string, string> }
  }
  return run()
}

// each test gets its own scope, as the local counters are per route and service for the whole process
const instance = () => ({ id: randomUUID(), route: randomUUID(), service: null, consumer: null })
const make = (config: Record<string, unknown>) => compile(schema.parse(config), instance())

afterEach(() => {
  vi.useRealTimers()
  logs.length = 0
})

describe('rate-limiting handler (local policy)', () => {
  it('counts down RateLimit-Remaining and answers 429 with Retry-After at the limit', async () => {
    vi.useFakeTimers({ now: Date.UTC(2026, 0, 1, 0, 0, 10), toFake: ['Date'] })
    const c = make({ minute: 3 })
    const seen = []
    for (let i = 0; i < 3; i++) seen.push((await call(c)).headers)
    expect(seen.map((h) => h['ratelimit-remaining'])).toEqual(['2', '1', '0'])
    expect(seen[0]).toEqual({ 'x-ratelimit-limit-minute': '3', 'x-ratelimit-remaining-minute': '2', 'ratelimit-limit': '3', 'ratelimit-remaining': '2', 'ratelimit-reset': '50' })
    const refused = await call(c)
    expect(refused.status).toBe(429)
    expect(refused.body).toEqual({ message: 'API rate limit exceeded' })
    expect(refused.headers).toMatchObject({ 'ratelimit-remaining': '0', 'retry-after': '50', 'x-ratelimit-remaining-minute': '0' })
  })

  it('starts over in the next window', async () => {
    vi.useFakeTimers({ now: Date.UTC(2026, 0, 1, 0, 0, 59), toFake: ['Date'] })
    const c = make({ minute: 1 })
    expect((await call(c)).status).toBe(200)
    expect((await call(c)).status).toBe(429)
    vi.setSystemTime(Date.UTC(2026, 0, 1, 0, 1, 0))
    expect((await call(c)).status).toBe(200)
  })

  it('shows the tightest period in RateLimit-*, the longer one on a tie, and does not count refused requests', async () => {
    vi.useFakeTimers({ now: Date.UTC(2026, 0, 1, 0, 0, 0), toFake: ['Date'] })
    const c = make({ second: 1, hour: 2 })
    const first = await call(c)
    expect(first.headers).toMatchObject({ 'ratelimit-limit': '1', 'ratelimit-remaining': '0', 'ratelimit-reset': '1', 'x-ratelimit-remaining-hour': '1' })
    const refused = await call(c)
    expect(refused.status).toBe(429)
    // the second window refused it; the hour still has one left because refused requests are not counted
    expect(refused.headers).toMatchObject({ 'x-ratelimit-remaining-second': '0', 'x-ratelimit-remaining-hour': '1', 'retry-after': '1' })
    vi.setSystemTime(Date.UTC(2026, 0, 1, 0, 0, 1))
    expect((await call(c)).headers).toMatchObject({ 'ratelimit-limit': '2', 'ratelimit-remaining': '0', 'ratelimit-reset': '3599', 'x-ratelimit-remaining-hour': '0' })
  })

  it('counts month and year windows on calendar boundaries and resets on Kong lengths', async () => {
    vi.useFakeTimers({ now: Date.UTC(2026, 1, 27, 0, 0, 0), toFake: ['Date'] })
    const c = make({ month: 5, year: 10 })
    const h = (await call(c)).headers
    // Feb 27, 26 days into the month: Kong's 30-day month leaves 4 days
    expect(h).toMatchObject({ 'x-ratelimit-remaining-month': '4', 'x-ratelimit-remaining-year': '9', 'ratelimit-reset': String(4 * 86_400) })
  })

  it('limits by consumer, then credential, then the client address', async () => {
    const c = make({ minute: 1 })
    expect((await call(c, { consumer: { id: 'alice' } })).status).toBe(200)
    expect((await call(c, { consumer: { id: 'alice' } })).status).toBe(429)
    expect((await call(c, { consumer: { id: 'bob' } })).status).toBe(200)
    expect((await call(c, { credential: { id: 'cred-1' } })).status).toBe(200)
    expect((await call(c, { ip: '10.9.9.9' })).status).toBe(200)
    expect((await call(c, { ip: '10.9.9.9' })).status).toBe(429)
  })

  it('limits by header value, by the configured path, and by service, falling back to the address', async () => {
    const byHeader = make({ minute: 1, limit_by: 'header', header_name: 'X-App' })
    expect((await call(byHeader, { headers: { 'x-app': 'a' } })).status).toBe(200)
    expect((await call(byHeader, { headers: { 'x-app': 'a' } })).status).toBe(429)
    expect((await call(byHeader, { headers: { 'x-app': 'b' } })).status).toBe(200)
    const byPath = make({ minute: 1, limit_by: 'path', path: '/a' })
    expect((await call(byPath, { path: '/a', ip: '1.1.1.1' })).status).toBe(200)
    expect((await call(byPath, { path: '/a', ip: '2.2.2.2' })).status).toBe(429) // same path, another client
    expect((await call(byPath, { path: '/b', ip: '2.2.2.2' })).status).toBe(200) // other path: by address
    const byService = make({ minute: 1, limit_by: 'service' })
    expect((await call(byService, { service: { id: 's1' }, ip: '1.1.1.1' })).status).toBe(200)
    expect((await call(byService, { service: { id: 's1' }, ip: '2.2.2.2' })).status).toBe(429)
  })

  it('hides every header with hide_client_headers and answers with error_code and error_message', async () => {
    const c = make({ minute: 1, hide_client_headers: true, error_code: 503, error_message: 'slow down' })
    expect((await call(c)).headers).toEqual({})
    const refused = await call(c)
    expect(refused).toEqual({ status: 503, body: { message: 'slow down' }, headers: {} })
  })

  it('serves without headers when the store fails and fault_tolerant is on, answers 500 when off, logging once', async () => {
    const broken: Policy = { hit: () => Promise.reject(new Error('store down')) }
    const tolerant = { ...make({ minute: 1 }), policy: broken }
    expect(await call(tolerant)).toEqual({ status: 200, body: undefined, headers: {} })
    expect(await call(tolerant)).toEqual({ status: 200, body: undefined, headers: {} })
    const strict = { ...make({ minute: 1, fault_tolerant: false }), policy: broken }
    expect((await call(strict)).status).toBe(500)
    expect((await call(strict)).body).toEqual({ message: 'An unexpected error occurred' })
    expect(logs.length).toBe(1)
  })
})
