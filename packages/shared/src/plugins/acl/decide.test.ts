// The acl verdict per list of groups: allow and deny lists, and the header value passed upstream.
import { describe, expect, it } from 'vitest'
import { BLOCKED, compileAcl, verdict } from './decide.ts'

const conf = (c: Partial<Parameters<typeof compileAcl>[0]>) => compileAcl({ allow: null, deny: null, hide_groups_header: false, always_use_authenticated_groups: false, ...c })

describe('acl verdict', () => {
  it('passes a member of an allowed group with every group joined by ", "', () => {
    expect(verdict(conf({ allow: ['admin'] }), ['dev', 'admin'])).toBe('dev, admin')
    expect(verdict(conf({ allow: ['admin'] }), ['dev'])).toBe(BLOCKED)
  })
  it('blocks a member of a denied group; a non-empty deny wins over allow', () => {
    expect(verdict(conf({ deny: ['banned'] }), ['banned'])).toBe(BLOCKED)
    expect(verdict(conf({ deny: ['banned'] }), [])).toBe('')
    expect(verdict(conf({ allow: ['x'], deny: ['banned'] }), ['x', 'banned'])).toBe(BLOCKED)
  })
  it('keeps no header value when the header is hidden', () => {
    expect(verdict(conf({ allow: ['a'], hide_groups_header: true }), ['a'])).toBe('')
  })
})
