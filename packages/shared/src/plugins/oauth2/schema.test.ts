// oauth2 config: Kong's defaults and validation messages, and the persistent_refresh_token alias.
import { describe, expect, it } from 'vitest'
import { issuesToFields } from '../../zod-kong.ts'
import { schema } from './schema.ts'

const fieldsOf = (input: unknown) => {
  const r = schema.safeParse(input)
  return r.success ? null : issuesToFields(r.error.issues, ['config'])
}

describe('oauth2 config schema', () => {
  it("fills Kong's defaults and generates a provision key", () => {
    const c = schema.parse({ enable_client_credentials: true })
    expect(c).toMatchObject({
      scopes: null, mandatory_scope: false, token_expiration: 7200, hide_credentials: false, accept_http_if_already_terminated: false,
      anonymous: null, global_credentials: false, auth_header_name: 'authorization', refresh_token_ttl: 1209600, reuse_refresh_token: false,
      pkce: 'lax', realm: null, enable_introspection_endpoint: false, enable_revocation_endpoint: false,
    })
    expect(c.provision_key).toMatch(/^[A-Za-z0-9]{32}$/)
  })

  it('requires at least one grant', () => {
    expect(fieldsOf({})).toEqual({
      config: 'at least one of these fields must be true: enable_authorization_code, enable_implicit_grant, enable_client_credentials, enable_password_grant',
    })
  })

  it('requires scopes with mandatory_scope', () => {
    expect(fieldsOf({ enable_password_grant: true, mandatory_scope: true })).toEqual({ config: { scopes: 'required field missing' } })
  })

  it('bounds refresh_token_ttl and pkce', () => {
    expect(fieldsOf({ enable_password_grant: true, refresh_token_ttl: 1e9 })).toEqual({ config: { refresh_token_ttl: 'value should be between 0 and 100000000' } })
    expect(fieldsOf({ enable_password_grant: true, pkce: 'plain' })).toEqual({ config: { pkce: 'expected one of: none, lax, strict' } })
  })

  it('rejects unknown fields but accepts persistent_refresh_token as an alias of reuse_refresh_token', () => {
    expect(fieldsOf({ enable_password_grant: true, nope: 1 })).toEqual({ config: { nope: 'unknown field' } })
    const c = schema.parse({ enable_password_grant: true, persistent_refresh_token: true })
    expect(c.reuse_refresh_token).toBe(true)
    expect('persistent_refresh_token' in c).toBe(false)
  })
})
