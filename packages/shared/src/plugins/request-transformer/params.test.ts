// Unit tests of request-transformer's parameter maps: Kong's decode/encode and operation order.
import { describe, expect, it } from 'vitest'
import { applyOps, decodeParams, encodeParams } from './params.ts'
import { compile } from './compile.ts'
import { schema } from './schema.ts'

const env = { header: () => undefined, query: () => undefined, capture: () => undefined, shared: () => undefined }

describe('request-transformer params', () => {
  it('decodes repeated names as lists and a bare name as true, and encodes them back (sorted for the query)', () => {
    const p = decodeParams('b=2&a=1&a=x%20y&flag')
    expect([...p]).toEqual([['b', '2'], ['a', ['1', 'x y']], ['flag', true]])
    expect(encodeParams(p, true)).toBe('a=1&a=x%20y&b=2&flag')
    expect(encodeParams(p, false)).toBe('b=2&a=1&a=x%20y&flag')
  })

  it('applies remove, rename, replace, add, append in that order', () => {
    const c = compile(schema.parse({
      remove: { querystring: ['r'] },
      rename: { querystring: ['o:n'] },
      replace: { querystring: ['n:replaced'] },
      add: { querystring: ['n:no', 'new:yes'] },
      append: { querystring: ['new:more'] },
    }))
    const p = decodeParams('r=1&o=2')
    expect(applyOps(p, c.query!, env)).toBe(true)
    expect(encodeParams(p, true)).toBe('n=replaced&new=yes&new=more')
  })
})
