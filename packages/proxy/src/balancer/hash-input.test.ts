// Unit tests of what consistent hashing hashes: each hash_on kind, and the fallback when the first is empty.
import { describe, expect, it } from 'vitest'
import type { IncomingMessage } from 'node:http'
import { hashInput, type HashSource } from './hash-input.ts'

const upstream = (o: Record<string, unknown>) => ({ id: 'u', hash_on: 'none', hash_fallback: 'none', hash_on_header: null, hash_fallback_header: null, hash_on_cookie: null, hash_on_query_arg: null, hash_fallback_query_arg: null, hash_on_uri_capture: null, hash_fallback_uri_capture: null, ...o })

function source(o: Partial<HashSource> & { headers?: Record<string, string | string[]> } = {}): HashSource {
  return { req: { headers: o.headers ?? {} } as IncomingMessage, consumerId: null, credentialId: null, clientIp: '10.0.0.9', path: '/a/b', rawQuery: '', captures: null, ...o }
}

describe('hashInput', () => {
  it('reads each kind of input', () => {
    expect(hashInput(upstream({ hash_on: 'ip' }), source())).toBe('10.0.0.9')
    expect(hashInput(upstream({ hash_on: 'path' }), source())).toBe('/a/b')
    expect(hashInput(upstream({ hash_on: 'consumer' }), source({ consumerId: 'c1' }))).toBe('c1')
    expect(hashInput(upstream({ hash_on: 'header', hash_on_header: 'X-User' }), source({ headers: { 'x-user': 'bob' } }))).toBe('bob')
    expect(hashInput(upstream({ hash_on: 'cookie', hash_on_cookie: 'lb' }), source({ headers: { cookie: 'a=1; lb=xyz' } }))).toBe('xyz')
    expect(hashInput(upstream({ hash_on: 'query_arg', hash_on_query_arg: 'k' }), source({ rawQuery: 'k=1&k=2' }))).toBe('1,2')
    expect(hashInput(upstream({ hash_on: 'uri_capture', hash_on_uri_capture: 'id' }), source({ captures: { unnamed: ['7'], named: { id: '7' } } }))).toBe('7')
  })

  it('falls back when the first input is missing, except for cookies', () => {
    const u = upstream({ hash_on: 'header', hash_on_header: 'x-user', hash_fallback: 'ip' })
    expect(hashInput(u, source())).toBe('10.0.0.9')
    const c = upstream({ hash_on: 'cookie', hash_on_cookie: 'lb', hash_fallback: 'ip' })
    expect(hashInput(c, source())).toBe(undefined)
    const q = upstream({ hash_on: 'consumer', hash_fallback: 'query_arg', hash_fallback_query_arg: 'tenant' })
    expect(hashInput(q, source({ rawQuery: 'tenant=acme' }))).toBe('acme')
  })
})
