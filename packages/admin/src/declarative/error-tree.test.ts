// Kong's renderings of a declarative error tree: JSON fields, the Lua message text and the start-up report.
import { describe, expect, it } from 'vitest'
import { ErrorTree, luaCompact, prettyReport } from './error-tree.ts'

describe('declarative error tree', () => {
  it('aligns entity arrays by position with null holes', () => {
    const t = new ErrorTree()
    t.add(['services', 2], 'duplicate')
    t.merge(['services', 3], { protocols: [null, 'bad'], '@entity': ['e1'] })
    expect(t.toJSON()).toEqual({ services: [null, 'duplicate', { protocols: [null, 'bad'], '@entity': ['e1'] }] })
  })

  it('turns a second message at one place into a list, and mixes names with positions as objects', () => {
    const t = new ErrorTree()
    t.add(['plugins', 1], 'a')
    t.add(['plugins', 1], 'b')
    t.add(['routes', 'r1'], 'c')
    expect(t.toJSON()).toEqual({ plugins: [['a', 'b']], routes: { r1: 'c' } })
  })

  it("writes the message text as penlight's compact pretty.write", () => {
    expect(luaCompact({ services: [{ host: 'required field missing', port: 'value should be between 0 and 65535' }] })).toBe(
      '{services={{host="required field missing",port="value should be between 0 and 65535"}}}',
    )
    expect(luaCompact({ services: [null, 'dup'] })).toBe('{services={[2]="dup"}}')
    expect(luaCompact({ a: { '@entity': ['x "y"'] } })).toBe('{a={["@entity"]={"x \\"y\\""}}}')
  })

  it("prints Kong's start-up report", () => {
    expect(prettyReport({ services: [null, { host: 'required field missing' }] })).toBe("in 'services':\n  - in entry 2 of 'services':\n    in 'host': required field missing")
  })
})
