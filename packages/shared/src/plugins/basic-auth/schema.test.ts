// basic-auth config: Kong's defaults and validation messages.
import { describe, expect, it } from 'vitest'
import { schema } from './schema.ts'
import { issuesToFields } from '../../zod-kong.ts'

const errors = (c: unknown) => {
  const r = schema.safeParse(c)
  return r.success ? null : issuesToFields(r.error.issues, ['config'])
}

describe('basic-auth schema', () => {
  it('fills Kong\'s defaults', () => {
    expect(schema.parse({})).toEqual({ anonymous: null, hide_credentials: false, realm: 'service' })
  })
  it('reports Kong\'s messages', () => {
    expect(errors({ hide_credentials: 'yes' })).toEqual({ config: { hide_credentials: 'expected a boolean' } })
    expect(errors({ realm: null })).toEqual({ config: { realm: 'required field missing' } })
    expect(errors({ anonymous: '' })).toEqual({ config: { anonymous: 'length must be at least 1' } })
    expect(errors({ nope: 1 })).toEqual({ config: { nope: 'unknown field' } })
  })
})
