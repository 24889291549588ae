// Unit tests for Kong's form key grammar: the spec §3.2 examples plus the hostile inputs the admin must survive.
import { describe, expect, it } from 'vitest'
import { HttpError } from '@postern/shared'
import { APPEND, MAX_KEY_DEPTH, decodeForm, parseKey } from './kong-form.ts'

const decode = (q: string) => decodeForm(new URLSearchParams(q))

describe('parseKey', () => {
  it('splits dots and brackets into path segments', () => {
    expect(parseKey('config.key_names[1]')).toEqual(['config', 'key_names', 1])
    expect(parseKey('paths[]')).toEqual(['paths', APPEND])
    expect(parseKey('headers[x-v][]')).toEqual(['headers', 'x-v', APPEND])
    expect(parseKey('x.r[1].s[a][2].t')).toEqual(['x', 'r', 1, 's', 'a', 2, 't'])
  })

  it('keeps dots inside brackets as part of one key', () => {
    expect(parseKey('x[foo.bar]')).toEqual(['x', 'foo.bar'])
  })

  it('reads %5B and %5D in key names as brackets', () => {
    expect(parseKey('paths%5B1%5D')).toEqual(['paths', 1])
  })

  it('keeps the whole key literal when map brackets are not honoured (GET)', () => {
    expect(parseKey('a[name]', false)).toEqual(['a[name]'])
    expect(parseKey('a[1]', false)).toEqual(['a', 1])
  })

  it('drops keys that start or end with a dot instead of copying Kong\'s `name` bug', () => {
    expect(parseKey('.host')).toBeNull()
    expect(parseKey('host.')).toBeNull()
  })

  it(`refuses keys nested deeper than ${MAX_KEY_DEPTH} levels with a 400`, () => {
    expect(() => parseKey('a' + '[1]'.repeat(100_000))).toThrow(HttpError)
    expect(() => parseKey(Array(MAX_KEY_DEPTH + 2).fill('a').join('.'))).toThrow(/nested deeper/)
    expect(parseKey(Array(MAX_KEY_DEPTH).fill('a').join('.'))).toHaveLength(MAX_KEY_DEPTH)
  })
})

describe('decodeForm (spec §3.2 examples)', () => {
  const cases: [string, unknown][] = [
    ['name=s1&url=http://a.test:8080/x&retries=3', { name: 's1', url: 'http://a.test:8080/x', retries: '3' }],
    ['paths[]=/a&paths[]=/b&methods=GET&strip_path=false', { paths: ['/a', '/b'], methods: 'GET', strip_path: 'false' }],
    ['paths[1]=/a&paths[2]=/b', { paths: ['/a', '/b'] }],
    ['paths=/a&paths=/b', { paths: ['/a', '/b'] }],
    ['hosts=a.test,b.test', { hosts: 'a.test,b.test' }],
    ['headers.x-version=v1&headers.x-version=v2', { headers: { 'x-version': ['v1', 'v2'] } }],
    ['service.id=abc', { service: { id: 'abc' } }],
    ['service.name=s1', { service: { name: 's1' } }],
    ['name=key-auth&config.key_names=apikey&config.key_names=token', { name: 'key-auth', config: { key_names: ['apikey', 'token'] } }],
    ['name=key-auth&config.key_names[1]=apikey&config.hide_credentials=true', { name: 'key-auth', config: { key_names: ['apikey'], hide_credentials: 'true' } }],
    ['custom_id=', { custom_id: '' }],
    ['tags[]=a&tags[]=b', { tags: ['a', 'b'] }],
    ['sources[1].ip=10.0.0.1&sources[1].port=80&sources[2].port=81', { sources: [{ ip: '10.0.0.1', port: '80' }, { port: '81' }] }],
    ['headers[x-v][]=1&headers[x-v][]=2', { headers: { 'x-v': ['1', '2'] } }],
  ]
  it.each(cases)('decodes %s', (q, want) => {
    expect(decode(q)).toEqual(want)
  })
})

describe('decodeForm edge cases', () => {
  it('orders positions by index whatever the arrival order, dropping holes', () => {
    expect(decode('paths[3]=/c&paths[1]=/a')).toEqual({ paths: ['/a', '/c'] })
  })

  it('appends after the highest position given so far', () => {
    expect(decode('a[2]=x&a[]=y&a=z')).toEqual({ a: ['x', 'y', 'z'] })
  })

  it('handles a huge position without building a huge array', () => {
    const started = performance.now()
    expect(decode('paths[4294967294]=/x&paths[2]=/b')).toEqual({ paths: ['/b', '/x'] })
    expect(performance.now() - started).toBeLessThan(100)
  })

  it('turns a scalar repeated in place into a list', () => {
    expect(decode('config.minute=1&config.minute=2')).toEqual({ config: { minute: ['1', '2'] } })
  })

  it('drops a later pair whose shape contradicts an earlier one', () => {
    expect(decode('a[1]=x&a.b=y')).toEqual({ a: ['x'] })
    expect(decode('a.b=x&a[]=y')).toEqual({ a: { b: 'x' } })
  })

  it('keeps __proto__ and constructor as plain keys and never touches a prototype', () => {
    const r = decode('__proto__.polluted=1&constructor.prototype.x=2&a.__proto__.y=3')
    expect(({} as any).polluted).toBeUndefined()
    expect(({} as any).x).toBeUndefined()
    expect(({} as any).y).toBeUndefined()
    expect(Object.keys(r)).toEqual(['__proto__', 'constructor', 'a'])
    expect(Object.getPrototypeOf(r)).toBe(Object.prototype)
    expect(JSON.parse(JSON.stringify(r))).toEqual(JSON.parse('{"__proto__":{"polluted":"1"},"constructor":{"prototype":{"x":"2"}},"a":{"__proto__":{"y":"3"}}}'))
  })

  it('ignores pairs whose key is only a dot or empty', () => {
    expect(decode('.=x&=y&ok=1')).toEqual({ ok: '1' })
  })
})
