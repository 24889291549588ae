// Unit tests of proxy-cache's pieces: Kong's cache key, Cache-Control reading, content-type matching,
// the byte-bounded dictionary, and the schema's Kong messages.
import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { buildCacheKey, headersKey, paramsKey, parseQuery, prefixOf } from './cache-key.ts'
import { parseDirectives, resourceTtl } from './cache-control.ts'
import { compile, contentTypeMatches } from './handler.ts'
import { MemoryDictionary } from './memory.ts'
import { schema } from './schema.ts'

const entry = (body: string) => ({ status: 200, headers: { 'content-type': 'text/plain' }, body: Buffer.from(body), timestamp: 0, ttl: 10, version: 1 })

describe('proxy-cache key (Kong cache_key.lua)', () => {
  it('sorts all params when vary_query_params is unset, lists sorted and comma-joined, bare flags by name', () => {
    expect(paramsKey(parseQuery('b=2&a=1&a=0&flag'), null)).toBe('a=0,1:b=2:flag')
    expect(paramsKey(parseQuery('b=2&a=1'), ['b'])).toBe('b=2')
  })

  it('uses headers only when vary_headers is set', () => {
    const h = (n: string) => ({ 'x-a': 'A' } as Record<string, string>)[n]
    expect(headersKey(h, null)).toBe('')
    expect(headersKey(h, ['x-a', 'x-b'])).toBe('x-a=A')
  })

  it('prefixes with consumer and route ids, or default', () => {
    expect(prefixOf('c', 'r')).toBe('c:r')
    expect(prefixOf(null, 'r')).toBe('r')
    expect(prefixOf('c', null)).toBe('default')
  })

  it('is the sha256 hex of prefix|method|uri|params|headers', () => {
    const want = createHash('sha256').update('r|GET|GET /x|a=1|').digest('hex')
    expect(buildCacheKey('r', 'GET', 'GET /x', 'a=1', '')).toBe(want)
  })
})

describe('Cache-Control', () => {
  it('parses directives with numbers, tokens and flags', () => {
    expect(parseDirectives('max-age=60, No-Store, foo="x"')).toEqual({ 'max-age': 60, 'no-store': true, foo: '"x"' })
  })

  it('takes s-maxage over max-age, then Expires, never below 0', () => {
    expect(resourceTtl({ 's-maxage': 5, 'max-age': 60 }, undefined, 0)).toBe(5)
    expect(resourceTtl({}, new Date(100_000).toUTCString(), 40)).toBe(60)
    expect(resourceTtl({}, undefined, 0)).toBe(0)
    expect(resourceTtl({ 'max-age': -3 }, undefined, 0)).toBe(0)
  })
})

describe('content types', () => {
  const types = compile(schema.parse({ strategy: 'memory', content_type: ['text/plain', 'application/json; charset=utf-8', 'image/*'] })).types
  it('matches exactly, parameters included, and wildcards', () => {
    expect(contentTypeMatches(types, 'text/plain')).toBe(true)
    expect(contentTypeMatches(types, 'text/plain; charset=utf-8')).toBe(false)
    expect(contentTypeMatches(types, 'application/json; charset=utf-8')).toBe(true)
    expect(contentTypeMatches(types, 'application/json')).toBe(false)
    expect(contentTypeMatches(types, 'image/png')).toBe(true)
    expect(contentTypeMatches(types, undefined)).toBe(false)
  })
})

describe('MemoryDictionary', () => {
  it('evicts the least recently used entries to stay within its size', () => {
    const d = new MemoryDictionary(600)
    d.set('a', entry('x'.repeat(100)), 10)
    d.set('b', entry('x'.repeat(100)), 10)
    d.get('a') // a is now the most recent
    d.set('c', entry('x'.repeat(300)), 10)
    expect(d.get('b')).toBeUndefined()
    expect(d.get('a')).toBeDefined()
    expect(d.get('c')).toBeDefined()
    expect(d.bytes).toBeLessThanOrEqual(600)
  })

  it('refuses an entry larger than itself, expires by ttl, deletes and flushes', () => {
    let now = 0
    const d = new MemoryDictionary(1000, () => now)
    expect(d.set('big', entry('x'.repeat(2000)), 10)).toBe(false)
    d.set('a', entry('1'), 10)
    d.set('b', entry('2'), 10)
    expect(d.delete('a')).toBe(true)
    now = 10_001
    expect(d.get('b')).toBeUndefined()
    d.set('c', entry('3'), 10)
    d.flush()
    expect(d.size).toBe(0)
    expect(d.bytes).toBe(0)
  })
})

describe('proxy-cache schema', () => {
  const fields = (c: unknown) => {
    const r = schema.safeParse(c)
    return r.success ? null : r.error.issues.map((i) => [i.path.join('.'), i.message])
  }
  it("has Kong's defaults", () => {
    const c = schema.parse({ strategy: 'memory' })
    expect(c).toMatchObject({ response_code: [200, 301, 404], request_method: ['GET', 'HEAD'], content_type: ['text/plain', 'application/json'], cache_ttl: 300, cache_control: false, memory: { dictionary_name: 'kong_db_cache' }, vary_headers: null, vary_query_params: null, storage_ttl: null })
    expect(c.response_headers).toEqual({ age: true, 'X-Cache-Status': true, 'X-Cache-Key': true })
  })
  it("answers Kong's messages", () => {
    expect(fields({ strategy: 'memory', response_code: [99] })).toEqual([['response_code.0', 'value should be between 100 and 900']])
    expect(fields({ strategy: 'memory', response_code: [] })).toEqual([['response_code', 'length must be at least 1']])
    expect(fields({ strategy: 'memory', cache_ttl: 0 })).toEqual([['cache_ttl', 'value must be greater than 0']])
    expect(fields({ strategy: 'memory', memory: { dictionary_name: 'nope' } })).toEqual([['', "missing shared dict 'nope'"]])
  })
})
