// phantom-token accepts every config key of Curity's versions (seed 000's YAML included) and nothing else.
import { describe, expect, it } from 'vitest'
import { schema } from './schema.ts'
import { compile } from './compile.ts'

const SEED_000 = {
  introspection_endpoint: 'http://host.docker.internal:8443/oauth/v2/oauth-introspect',
  client_id: 'api-gateway-client',
  client_secret: 'Password1',
  token_cache_seconds: 900,
  scope: 'read',
  trusted_web_origins: ['http://www.example.com'],
}

describe('phantom-token schema', () => {
  it("accepts seed 000's YAML config and fills in the defaults", () => {
    expect(schema.parse(SEED_000)).toEqual({ ...SEED_000, verify_ssl: true, scheme: 'Bearer' })
  })
  it('needs only the three required keys', () => {
    const c = schema.parse({ introspection_endpoint: 'https://idp/introspect', client_id: 'a', client_secret: 'b' })
    expect(c).toMatchObject({ token_cache_seconds: 300, scope: null, verify_ssl: true, trusted_web_origins: [], scheme: 'Bearer' })
  })
  it('rejects unknown and misspelt keys and missing required ones', () => {
    expect(schema.safeParse({ ...SEED_000, introspectionn_endpoint: 'x' }).success).toBe(false)
    const { client_secret: _, ...missing } = SEED_000
    expect(schema.safeParse(missing).success).toBe(false)
    expect(schema.safeParse({ ...SEED_000, introspection_endpoint: 'not a url' }).success).toBe(false)
    expect(schema.safeParse({ ...SEED_000, scheme: 'Basic' }).success).toBe(false)
  })
  it('treats a cache lifetime of zero or less as 300 seconds', () => {
    expect(compile(schema.parse({ ...SEED_000, token_cache_seconds: 0 })).cacheSeconds).toBe(300)
    expect(compile(schema.parse({ ...SEED_000, token_cache_seconds: -5 })).cacheSeconds).toBe(300)
  })
})
