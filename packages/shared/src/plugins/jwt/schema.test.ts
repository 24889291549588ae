// The jwt config schema: Kong's defaults and messages, and the extensions' defaults.
import { describe, expect, it } from 'vitest'
import '../../zod-kong.ts'
import { issuesToFields } from '../../zod-kong.ts'
import { schema } from './schema.ts'

const errors = (config: unknown) => {
  const r = schema.safeParse(config)
  if (r.success) throw new Error('expected a violation')
  return issuesToFields(r.error.issues, ['config'])
}

describe('jwt config schema', () => {
  it('fills in Kong 3.9 defaults and extension defaults that keep Kong behaviour', () => {
    expect(schema.parse({})).toEqual({
      uri_param_names: ['jwt'],
      cookie_names: [],
      key_claim_name: 'iss',
      secret_is_base64: false,
      claims_to_verify: null,
      anonymous: null,
      run_on_preflight: true,
      maximum_expiration: 0,
      header_names: ['authorization'],
      realm: null,
      clock_skew: 0,
      issuers: null,
      audiences: null,
      hide_credentials: false,
      jwks_uri: null,
      jwks_refresh_interval: 300,
      jwks_refetch_cooldown: 10,
    })
  })

  it('deduplicates set fields keeping the first occurrence', () => {
    expect(schema.parse({ uri_param_names: ['a', 'b', 'a'], claims_to_verify: ['exp', 'exp'] })).toMatchObject({ uri_param_names: ['a', 'b'], claims_to_verify: ['exp'] })
  })

  it('rejects claims other than exp and nbf with Kong message', () => {
    expect(errors({ claims_to_verify: ['iat'] })).toEqual({ config: { claims_to_verify: ['expected one of: exp, nbf'] } })
  })

  it('rejects maximum_expiration outside 0..31536000', () => {
    expect(errors({ maximum_expiration: -1 })).toEqual({ config: { maximum_expiration: 'value should be between 0 and 31536000' } })
    expect(errors({ maximum_expiration: 31536001, claims_to_verify: ['exp'] })).toEqual({ config: { maximum_expiration: 'value should be between 0 and 31536000' } })
  })

  it('requires exp in claims_to_verify when maximum_expiration is set, as Kong conditional check', () => {
    expect(errors({ maximum_expiration: 60 })).toEqual({
      config: { claims_to_verify: 'expected to contain: exp' },
      '@entity': ["failed conditional validation given value of field 'config.maximum_expiration'"],
    })
    expect(schema.parse({ maximum_expiration: 60, claims_to_verify: ['exp'] }).maximum_expiration).toBe(60)
  })

  it('rejects unknown fields and a jwks_uri that is not an http(s) url', () => {
    expect(errors({ leeway: 5 })).toEqual({ config: { leeway: 'unknown field' } })
    expect(errors({ jwks_uri: 'ftp://x' })).toEqual({ config: { jwks_uri: "cannot parse 'ftp://x'" } })
  })
})
