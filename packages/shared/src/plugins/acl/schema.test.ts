// acl config: Kong's defaults and its only_one_of / at_least_one_of checks on allow and deny.
import { describe, expect, it } from 'vitest'
import { schema } from './schema.ts'
import { issuesToFields } from '../../zod-kong.ts'

const errors = (c: unknown) => {
  const r = schema.safeParse(c)
  return r.success ? null : issuesToFields(r.error.issues, ['config'])
}
const AT_LEAST = "at least one of these fields must be non-empty: 'config.allow', 'config.deny'"
const EXACTLY = "exactly one of these fields must be non-empty: 'config.allow', 'config.deny'"

describe('acl schema', () => {
  it('fills Kong\'s defaults', () => {
    expect(schema.parse({ allow: ['a'] })).toEqual({ allow: ['a'], deny: null, hide_groups_header: false, always_use_authenticated_groups: false })
  })
  it('needs allow or deny, and not both', () => {
    expect(errors({})).toEqual({ '@entity': [AT_LEAST] })
    expect(errors({ allow: [] })).toEqual({ '@entity': [AT_LEAST] })
    expect(errors({ allow: ['a'], deny: ['b'] })).toEqual({ '@entity': [EXACTLY] })
    expect(errors({ allow: [], deny: [] })).toEqual({ '@entity': [EXACTLY, AT_LEAST] })
    expect(errors({ allow: [], deny: ['b'] })).toBeNull()
  })
  it('reports field messages', () => {
    expect(errors({ allow: 'admin' })).toEqual({ config: { allow: 'expected an array' } })
    expect(errors({ deny: [1] })).toEqual({ config: { deny: ['expected a string'] } })
  })
})
