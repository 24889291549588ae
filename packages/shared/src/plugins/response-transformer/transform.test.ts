// Unit tests of response-transformer's pure transforms, with cases from Kong's body/header transformer specs.
import { describe, expect, it } from 'vitest'
import { schema } from './schema.ts'
import { compile, isJsonBody, transformHeaders, transformJson } from './transform.ts'

const conf = (c: unknown) => compile(schema.parse(c))

describe('response-transformer transforms', () => {
  it('parses name:value with extra colons skipped and values keeping theirs', () => {
    const c = conf({ add: { json: ['url:http://x/y', 'a::b'] } })
    expect(c.json!.add.map((p) => [p.name, p.value])).toEqual([['url', 'http://x/y'], ['a', 'b']])
  })

  it('removes, renames, replaces, adds and appends JSON keys as Kong does', () => {
    const c = conf({
      remove: { json: ['gone'] },
      rename: { json: ['old:new'] },
      replace: { json: ['p1:v1', 'absent:x', 'f:x'] },
      add: { json: ['p1:nope', 'p2:v2', 'f:added'] },
      append: { json: ['s:two', 'list:c', 'fresh:1'] },
    })
    const out = JSON.parse(transformJson(c.json!, JSON.stringify({ gone: 1, old: 2, p1: 'a', f: false, s: 'one', list: ['a', 'b'] }))!)
    expect(out).toEqual({ new: 2, p1: 'v1', p2: 'v2', f: 'added', s: ['one', 'two'], list: ['a', 'b', 'c'], fresh: ['1'] })
  })

  it('casts values with json_types by position', () => {
    const c = conf({ add: { json: ['n:42', 'b:true', 's:7', 'bad:x'], json_types: ['number', 'boolean', 'string', 'number'] } })
    expect(JSON.parse(transformJson(c.json!, '{}')!)).toEqual({ n: 42, b: true, s: '7' })
  })

  it('leaves a body that is not JSON alone', () => {
    expect(transformJson(conf({ remove: { json: ['a'] } }).json!, 'not json')).toBeUndefined()
  })

  it('transforms headers in Kong order and drops Content-Length when the JSON body changes', () => {
    const c = conf({
      remove: { headers: ['X-Gone'] },
      rename: { headers: ['X-Old:X-New'] },
      replace: { headers: ['x-rep:new', 'x-missing:v'] },
      add: { headers: ['x-rep:nope', 'x-add:v'] },
      append: { headers: ['x-app:2'], json: ['k:v'] },
    })
    const h: Record<string, string | string[]> = { 'x-gone': '1', 'x-old': 'o', 'x-rep': 'old', 'x-app': '1', 'content-type': 'application/json; charset=utf-8', 'content-length': '10' }
    transformHeaders(c, h)
    expect(h).toEqual({ 'x-new': 'o', 'x-rep': 'new', 'x-add': 'v', 'x-app': ['1', '2'], 'content-type': 'application/json; charset=utf-8' })
  })

  it('recognizes JSON among comma-separated types, not text/json', () => {
    expect(isJsonBody('text/plain, application/json')).toBe(true)
    expect(isJsonBody('text/json')).toBe(false)
    expect(isJsonBody(undefined)).toBe(false)
  })

  it("validates rename.headers names as Kong's validate_header_name", () => {
    const r = schema.safeParse({ rename: { headers: ['good:bad name'] } })
    expect(r.success).toBe(false)
    expect(r.error!.issues[0].message).toBe("'bad name' is not a valid header")
    expect(schema.safeParse({ add: { json: ['novalue'] } }).success).toBe(false)
    expect(schema.safeParse({ add: { json_types: ['date'] } }).success).toBe(false)
  })
})
