// The log entry's JSON text (built without the entry object) must be exactly JSON.stringify of Kong's serializer output.
import { describe, expect, it } from 'vitest'
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Summary } from './log-phase.ts'
import type { RequestState } from './context.ts'
import { kSentHeaders } from '../upstream/forward.ts'

/** One real request through node:http; the handler builds the summary once the response is written. */
async function summaryOf(path: string, headers: Record<string, string>, extra: Partial<RequestState>): Promise<Summary> {
  let made!: Summary
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const sent = { 'content-type': 'text/plain', 'x-up': 'yes' }
    res.writeHead(201, sent)
    ;(res as unknown as Record<symbol, unknown>)[kSentHeaders] = sent // as the forwarder and respond.ts do
    res.end('hi')
    const qi = path.indexOf('?')
    const rawQuery = qi < 0 ? '' : path.slice(qi + 1)
    const s = {
      req, requestId: 'a'.repeat(32),
      info: { method: 'GET', scheme: 'http', tls: false, trusted: false, host: 'gw.test', port: 8000, path: path.split('?')[0], rawQuery, clientIp: '127.0.0.1', forwardedIp: '127.0.0.1' },
      route: { id: 'r1', name: 'route "one"', paths: ['/a'], tags: null }, service: { id: 's1', host: 'up', port: 80 },
      consumer: null, credential: null,
      getQuery: () => new URLSearchParams(rawQuery),
      ...extra,
    } as unknown as RequestState
    made = new Summary(s, res, { status: 201, source: 'service', total: 3.4, upstream: 1.2, upstreamUri: '/up?x=1', writtenBefore: 0 }, 1_700_000_000_000)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  await new Promise<void>((r, j) => request({ port: (server.address() as AddressInfo).port, path, headers }, (res) => res.resume().on('end', () => r())).on('error', j).end())
  server.close()
  return made
}

describe('log entry JSON', () => {
  it('matches JSON.stringify(serialize()) with a query, a bare and a repeated name', async () => {
    const s = await summaryOf('/a/b?x=1&x=2&flag&empty=&u=%C3%A9', { 'x-custom': 'v "quoted"' }, {})
    expect(s.serializedJson()).toBe(JSON.stringify(s.serialize()))
    expect(JSON.parse(s.serializedJson()).request.querystring).toEqual({ x: ['1', '2'], flag: true, empty: '', u: 'é' })
  })

  it('matches with credentials redacted, a consumer and a credential, and no query', async () => {
    const s = await summaryOf('/a', { authorization: 'Bearer secret-token', 'proxy-authorization': 'Basic c2VjcmV0' }, {
      consumer: { id: 'c1', username: 'alice', custom_id: null } as never,
      credential: { id: 'k1' } as never,
    })
    const text = s.serializedJson()
    expect(text).not.toContain('secret')
    expect(text).toBe(JSON.stringify(s.serialize()))
    const entry = JSON.parse(text)
    expect(entry.request.headers.authorization).toBe('REDACTED')
    expect(entry.authenticated_entity).toEqual({ id: 'k1', consumer_id: 'c1' })
    expect(entry.response.headers['x-up']).toBe('yes')
  })

  it('after serialize() was called (and possibly changed), the JSON is that object', async () => {
    const s = await summaryOf('/a', {}, {})
    ;(s.serialize() as unknown as Record<string, unknown>).extra = 1
    expect(JSON.parse(s.serializedJson()).extra).toBe(1)
  })
})
