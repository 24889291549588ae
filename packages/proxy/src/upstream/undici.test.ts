// The proxy's deep undici imports are the classes undici's index exports, and dispatchers carry its API.
import * as undici from 'undici'
import { describe, expect, it } from 'vitest'
import { createRequire } from 'node:module'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { CONSUMER_HEADERS } from '@postern/shared/pdk/index.ts'
import { GATEWAY_HEADERS } from '../pipeline/headers.ts'
import { Agent, Pool, buildConnector, errors, headerNameToString, knowHeaderNames, parseHeaders } from './undici.ts'

const GATEWAY_HEADER_NAMES = [...GATEWAY_HEADERS, ...CONSUMER_HEADERS]

describe('undici parts', () => {
  it('are the values the index exports', () => {
    expect(Pool).toBe(undici.Pool)
    expect(Agent).toBe(undici.Agent)
    expect(errors).toBe(undici.errors)
    expect(buildConnector).toBe(undici.buildConnector)
    expect(parseHeaders).toBe(undici.util.parseHeaders)
    expect(headerNameToString).toBe(undici.util.headerNameToString)
  })

  it('give dispatchers the request API without the index', () => {
    for (const m of ['request', 'stream', 'pipeline', 'connect', 'upgrade']) expect(typeof (Pool.prototype as any)[m]).toBe('function')
  })

  it('know the gateway\'s own header names as well-known, lower-case tokens, and still send them and check others', async () => {
    const record = createRequire(import.meta.url)('undici/lib/core/constants.js').headerNameLowerCasedRecord
    for (const name of GATEWAY_HEADER_NAMES) expect(record[name]).toBe(name)
    expect(() => knowHeaderNames(['X-Upper'])).toThrow('not a lower-case header name')
    const server = createServer((req, res) => res.end(JSON.stringify(req.headers)))
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const pool = new Pool(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)
    try {
      const headers = Object.fromEntries(GATEWAY_HEADER_NAMES.map((n) => [n, `v-${n}`]))
      const r = await pool.request({ method: 'GET', path: '/', headers })
      expect(await r.body.json()).toMatchObject(headers)
      await expect(pool.request({ method: 'GET', path: '/', headers: { 'bad name': 'x' } })).rejects.toThrow('invalid header key')
      await expect(pool.request({ method: 'GET', path: '/', headers: { 'x-forwarded-for': 'a\nb' } })).rejects.toThrow('invalid x-forwarded-for header')
    } finally {
      await pool.close()
      server.close()
    }
  })
})
