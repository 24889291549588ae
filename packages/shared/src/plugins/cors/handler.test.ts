// cors handler: preflight answers (defaults, config options, credentials with `*`, private network,
// preflight_continue) and the headers added to other responses (Vary appended, ACAO cleared on no match).
import { describe, expect, it } from 'vitest'
import { createTestContext, createWorld } from '../_introspection/test-context.ts'
import { schema } from './schema.ts'
import { compile, handler } from './handler.ts'

const DEFAULT_METHODS = 'GET,HEAD,PUT,PATCH,POST,DELETE,OPTIONS,TRACE,CONNECT'
const ctxFor = (config: Record<string, unknown>, method: string, headers: Record<string, string>) =>
  createTestContext(createWorld(), compile(schema.parse(config)), { method, headers })
const pre = (config: Record<string, unknown>, headers: Record<string, string> = {}) =>
  handler.access!(ctxFor(config, 'OPTIONS', { origin: 'origin5.test', 'access-control-request-method': 'GET', ...headers })) as any

function filtered(config: Record<string, unknown>, reqHeaders: Record<string, string>, resHeaders: Record<string, string | string[]> = {}) {
  const ctx = ctxFor(config, 'GET', reqHeaders)
  expect(handler.access!(ctx)).toBeUndefined()
  const res = { status: 200, headers: { ...resHeaders }, fromGateway: false }
  handler.headerFilter!(ctx, res)
  return res.headers
}

describe('cors preflight', () => {
  it('gives Kong defaults: every method, `*`, no Vary, empty 200', () => {
    const e = pre({})
    expect(e).toMatchObject({ status: 200, body: undefined })
    expect(e.headers).toEqual({ 'access-control-allow-origin': '*', 'access-control-allow-methods': DEFAULT_METHODS })
    expect(pre({ origins: [] }).headers['access-control-allow-origin']).toBe('*')
  })
  it('applies the config options', () => {
    const e = pre({ origins: ['example.test'], methods: ['GET'], headers: ['origin', 'type', 'accepts'], max_age: 23, credentials: true })
    expect(e.headers).toEqual({
      'access-control-allow-origin': 'example.test', 'access-control-allow-methods': 'GET', 'access-control-allow-headers': 'origin,type,accepts',
      'access-control-max-age': '23', 'access-control-allow-credentials': 'true', vary: 'Origin',
    })
  })
  it('echoes the Origin with credentials when origins allow all', () => {
    expect(pre({ origins: ['*'], credentials: true }).headers).toMatchObject({ 'access-control-allow-origin': 'origin5.test', 'access-control-allow-credentials': 'true', vary: 'Origin' })
  })
  it('answers `*` when `*` is one of several origins', () => {
    expect(pre({ origins: ['foo.bar', '*'] }, { origin: 'http://www.example.net' }).headers['access-control-allow-origin']).toBe('*')
  })
  it('echoes Access-Control-Request-Headers when no headers are configured', () => {
    expect(pre({}, { 'access-control-request-headers': 'origin,accepts' }).headers['access-control-allow-headers']).toBe('origin,accepts')
  })
  it('allows a private network only when asked and configured', () => {
    expect(pre({ private_network: true }, { 'access-control-request-private-network': 'true' }).headers['access-control-allow-private-network']).toBe('true')
    expect(pre({ private_network: false }, { 'access-control-request-private-network': 'true' }).headers['access-control-allow-private-network']).toBeUndefined()
  })
  it('hands the preflight to the upstream with preflight_continue, adding nothing', () => {
    const ctx = ctxFor({ preflight_continue: true }, 'OPTIONS', { origin: 'a.test', 'access-control-request-method': 'GET' })
    expect(handler.access!(ctx)).toBeUndefined()
    const res = { status: 204, headers: {}, fromGateway: false }
    handler.headerFilter!(ctx, res)
    expect(res.headers).toEqual({})
  })
  it('is not a preflight without Origin or Access-Control-Request-Method', () => {
    expect(handler.access!(ctxFor({}, 'OPTIONS', { origin: 'a.test' }))).toBeUndefined()
    expect(handler.access!(ctxFor({}, 'OPTIONS', { 'access-control-request-method': 'GET' }))).toBeUndefined()
  })
})

describe('cors on other responses', () => {
  it('sends `*` without Vary by default, even without Origin', () => {
    expect(filtered({}, {})).toEqual({ 'access-control-allow-origin': '*' })
  })
  it('sends the fixed origin, exposed headers and credentials, appending Vary', () => {
    const h = filtered({ origins: ['example.test'], exposed_headers: ['x-auth-token'], credentials: true }, { origin: 'x.test' }, { vary: 'Accept-Encoding' })
    expect(h).toEqual({ 'access-control-allow-origin': 'example.test', 'access-control-expose-headers': 'x-auth-token', 'access-control-allow-credentials': 'true', vary: ['Accept-Encoding', 'Origin'] })
  })
  it('clears an upstream ACAO when the Origin does not match', () => {
    const config = { origins: ['http://my-site.test', 'https://my-other-site.test:9000'] }
    expect(filtered(config, { origin: 'http://my-site.test:80' })['access-control-allow-origin']).toBe('http://my-site.test')
    const h = filtered(config, { origin: 'http://bad.test' }, { 'access-control-allow-origin': 'http://bad.test' })
    expect(h).toEqual({ vary: 'Origin' })
  })
})
