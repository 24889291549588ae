// hmac-auth config: Kong's defaults and validation messages (as Kong's 01-schema_spec).
import { describe, expect, it } from 'vitest'
import { schema } from './schema.ts'
import { issuesToFields } from '../../zod-kong.ts'

const errors = (c: unknown) => {
  const r = schema.safeParse(c)
  return r.success ? null : issuesToFields(r.error.issues, ['config'])
}

describe('hmac-auth schema', () => {
  it('fills Kong\'s defaults', () => {
    expect(schema.parse({})).toEqual({
      hide_credentials: false, clock_skew: 300, anonymous: null, validate_request_body: false,
      enforce_headers: [], algorithms: ['hmac-sha1', 'hmac-sha256', 'hmac-sha384', 'hmac-sha512'], realm: null,
    })
  })
  it('reports Kong\'s messages', () => {
    expect(errors({ clock_skew: -10 })).toEqual({ config: { clock_skew: 'value must be greater than 0' } })
    expect(errors({ clock_skew: 0 })).toEqual({ config: { clock_skew: 'value must be greater than 0' } })
    expect(errors({ algorithms: ['sha1024'] })).toEqual({ config: { algorithms: ['expected one of: hmac-sha1, hmac-sha256, hmac-sha384, hmac-sha512'] } })
    expect(errors({ enforce_headers: 'date' })).toEqual({ config: { enforce_headers: 'expected an array' } })
    expect(errors({ validate_request_body: 1 })).toEqual({ config: { validate_request_body: 'expected a boolean' } })
  })
})
