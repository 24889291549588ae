// bot-detection schema (defaults, regex validation) and handler (allow > deny > bot list, 400 on two UAs).
import { describe, expect, it } from 'vitest'
import '../../zod-kong.ts'
import { issuesToFields } from '../../zod-kong.ts'
import { createTestContext, createWorld } from '../_introspection/test-context.ts'
import { schema } from './schema.ts'
import { compile, handler } from './handler.ts'

const GOOGLEBOT = 'Googlebot/2.1 (+http://www.google.com/bot.html)'
const FACEBOOK = 'facebookexternalhit/1.1'
const CHROME = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_11_5) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/50.0.2661.102 Safari/537.36'

const run = (config: Record<string, unknown>, ua?: string | string[]) =>
  handler.access!(createTestContext(createWorld(), compile(schema.parse(config)), { headers: ua === undefined ? {} : { 'user-agent': ua } }))

describe('bot-detection schema', () => {
  it('defaults both lists to empty', () => {
    expect(schema.parse({})).toEqual({ allow: [], deny: [] })
  })
  it('rejects an invalid regex with Kong message', () => {
    const r = schema.safeParse({ allow: ['(https?:\\/\\/.*'], deny: ['ok', '[z-a]'] })
    expect(r.success).toBe(false)
    expect(issuesToFields(r.error!.issues, ['config'])).toEqual({
      config: { allow: ['not a valid regex: (https?:\\/\\/.*'], deny: [null, 'not a valid regex: [z-a]'] },
    })
  })
  it('rejects lists that are not arrays of strings', () => {
    const r = schema.safeParse({ allow: 'x', deny: [1] })
    expect(issuesToFields(r.error!.issues, ['config'])).toEqual({ config: { allow: 'expected an array', deny: ['expected a string'] } })
  })
})

describe('bot-detection handler', () => {
  it('lets browsers, curl and requests without User-Agent through', () => {
    expect(run({}, CHROME)).toBeUndefined()
    expect(run({}, 'curl/7.43.0')).toBeUndefined()
    expect(run({})).toBeUndefined()
  })
  it('refuses known bots with 403 Forbidden', () => {
    for (const ua of [GOOGLEBOT, FACEBOOK, 'python-requests-spider/1.0', 'Go-http-client/1.1', 'axios/1.6.0'])
      expect(run({}, ua), ua).toMatchObject({ status: 403, body: { message: 'Forbidden' }, template: true })
  })
  it('refuses deny matches and lets allow matches through, allow first', () => {
    expect(run({ deny: ['HelloWorld'] }, 'HelloWorld')).toMatchObject({ status: 403 })
    expect(run({ allow: ['facebookexternalhit'] }, FACEBOOK)).toBeUndefined()
    expect(run({ allow: ['Hello'], deny: ['World'] }, 'HelloWorld')).toBeUndefined()
  })
  it('answers 400 to more than one User-Agent', () => {
    expect(run({}, ['a', 'b'])).toMatchObject({ status: 400, body: { message: 'Only one User-Agent header allowed' } })
  })
  it('keeps a verdict per User-Agent and instance', () => {
    const conf = compile(schema.parse({ deny: ['Evil'] }))
    const ctx = createTestContext(createWorld(), conf, { headers: { 'user-agent': ' Evil ' } })
    expect(handler.access!(ctx)).toMatchObject({ status: 403 })
    expect(conf.cache.size).toBe(1)
    expect(handler.access!(ctx)).toMatchObject({ status: 403 })
  })
})
