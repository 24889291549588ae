// ip-restriction config schema: Kong's defaults and every validation message (spec 17-ip-restriction/01).
import { describe, expect, it } from 'vitest'
import '../../zod-kong.ts'
import { issuesToFields } from '../../zod-kong.ts'
import { schema } from './schema.ts'

const errors = (config: unknown) => {
  const r = schema.safeParse(config)
  if (r.success) throw new Error('expected a violation')
  return issuesToFields(r.error.issues, ["config"]) as any
}

describe('ip-restriction config schema', () => {
  it('fills in Kong defaults', () => {
    expect(schema.parse({ allow: ['127.0.0.1/32'] })).toEqual({ allow: ['127.0.0.1/32'], deny: null, status: null, message: null })
  })
  it('accepts allow, deny, both, status and message, and IPv6 blocks', () => {
    for (const c of [
      { allow: ['127.0.0.1/32', '127.0.0.2/32'], status: 403, message: 'Forbidden' },
      { allow: ['127.0.0.1/8'] },
      { deny: ['127.0.0.1/32'] },
      { allow: ['127.0.0.1/32'], deny: ['127.0.0.2/32'] },
      { allow: ['::/0', '::/1', '::/128'] },
    ])
      expect(schema.safeParse(c).success).toBe(true)
  })
  it('rejects a non-array list', () => {
    expect(errors({ allow: 12 })).toEqual({ config: { allow: 'expected an array' } })
    expect(errors({ deny: 12 })).toEqual({ config: { deny: 'expected an array' } })
  })
  it('rejects invalid addresses at their position', () => {
    expect(errors({ allow: ['hello'] })).toEqual({ config: { allow: ["invalid ip or cidr range: 'hello'"] } })
    expect(errors({ deny: ['127.0.0.1/32', '127.0.0.2/32', 'hello'] })).toEqual({ config: { deny: [null, null, "invalid ip or cidr range: 'hello'"] } })
  })
  it('rejects invalid IPv4 and IPv6 prefix lengths', () => {
    expect(errors({ allow: ['0.0.0.0/a', '0.0.0.0/-1', '0.0.0.0/33'] }).config.allow).toEqual([
      "invalid ip or cidr range: '0.0.0.0/a'", "invalid ip or cidr range: '0.0.0.0/-1'", "invalid ip or cidr range: '0.0.0.0/33'",
    ])
    expect(errors({ allow: ['::/a', '::/-1', '::/129', '::1/a', '::1/-1', '::1/129'] }).config.allow).toHaveLength(6)
  })
  it('requires a non-empty allow or deny (entity check)', () => {
    const msg = ["at least one of these fields must be non-empty: 'config.allow', 'config.deny'"]
    expect(errors({ allow: [], deny: [] })).toEqual({ '@entity': msg })
    expect(errors({})).toEqual({ '@entity': msg })
  })
  it('rejects wrong types for status and message, and unknown fields', () => {
    expect(errors({ allow: ['1.1.1.1'], status: 'x', message: 1, nope: true })).toEqual({ config: { status: 'expected a number', message: 'expected a string', nope: 'unknown field' } })
  })
})
