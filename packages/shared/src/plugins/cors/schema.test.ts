// cors config schema: Kong's defaults and messages (spec/03-plugins/13-cors/02-schema_spec.lua).
import { describe, expect, it } from 'vitest'
import '../../zod-kong.ts'
import { issuesToFields } from '../../zod-kong.ts'
import { schema } from './schema.ts'

const errors = (config: unknown): any => {
  const r = schema.safeParse(config)
  if (r.success) throw new Error('expected a violation')
  return issuesToFields(r.error.issues, ['config'])
}

describe('cors config schema', () => {
  it('fills in Kong defaults', () => {
    expect(schema.parse({})).toEqual({
      origins: null, headers: null, exposed_headers: null,
      methods: ['GET', 'HEAD', 'PUT', 'PATCH', 'POST', 'DELETE', 'OPTIONS', 'TRACE', 'CONNECT'],
      max_age: null, credentials: false, private_network: false, preflight_continue: false,
    })
  })
  it('accepts `*`, domains and regexes as origins, and every method', () => {
    expect(schema.safeParse({ origins: ['*', 'example.com', '.*\\.example(?:-foo)?\\.com'] }).success).toBe(true)
    for (const m of ['HEAD', 'GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE', 'CONNECT']) expect(schema.safeParse({ methods: [m] }).success).toBe(true)
  })
  it('rejects an invalid regex origin at its position', () => {
    expect(errors({ origins: ['.*.example.com', 'invalid_**regex'] })).toEqual({ config: { origins: [null, "'invalid_**regex' is not a valid regex"] } })
  })
  it('rejects an unknown method with the list of methods', () => {
    expect(errors({ methods: ['FAKE'] })).toEqual({ config: { methods: ['expected one of: GET, HEAD, PUT, PATCH, POST, DELETE, OPTIONS, TRACE, CONNECT'] } })
  })
  it('rejects wrong types', () => {
    expect(errors({ origins: 'x', headers: [1], max_age: 'a', credentials: 'yes', private_network: 1, preflight_continue: null, nope: 1 })).toEqual({
      config: {
        origins: 'expected an array', headers: ['expected a string'], max_age: 'expected a number', credentials: 'expected a boolean',
        private_network: 'expected a boolean', preflight_continue: 'required field missing', nope: 'unknown field',
      },
    })
  })
})
