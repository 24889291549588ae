// Kong 3.9 error rendering (§4.10): negotiation rules, exact templates, request ids; plus the error-kind table.
import { errors as undiciErrors } from 'undici'
import { describe, expect, it } from 'vitest'
import { KIND_RESPONSE, classifyUpstreamError } from './errors.ts'
import { defaultErrorMessage, newRequestId, renderKongError, responseTypeFor } from './kong-errors.ts'
import { UpstreamPools } from './pools.ts'
import { target } from './test-harness.ts'

const JSON_T = 'application/json; charset=utf-8'
const PLAIN = 'text/plain; charset=utf-8'
const HTML = 'text/html; charset=utf-8'
const XML = 'application/xml; charset=utf-8'
const ID = '0123456789abcdef0123456789abcdef'

describe('responseTypeFor (Kong get_response_type)', () => {
  it.each([
    ['*/*', JSON_T],
    ['application/*', JSON_T],
    ['text/*', PLAIN],
    ['image/*', JSON_T],
    ['text/plain', PLAIN],
    ['text/html', HTML],
    ['application/xml', XML],
    ['application/json', JSON_T],
    ['foo/bar', JSON_T],
    ['', JSON_T],
    ['garbage', JSON_T],
    ['Text/Plain', JSON_T], // Kong's MIME lookup is case-sensitive
    ['text/html, application/json', HTML], // equal q: the first wins
    ['application/json;q=0.5, text/html', HTML],
    ['text/html;q=0.9, text/plain;q=0.91', PLAIN],
    ['text/html;level=1;q=0.2, application/xml;q=0.1', HTML], // q after another parameter still counts
    ['text/html;q=0.5;level=1, text/plain;q=0.4', HTML],
    ['text/plain;q=0, application/xml', XML], // q=0 never wins
    ['text/plain; q=0.3 , text/html ; q=0.2', PLAIN],
    ['foo/bar;q=0.8, text/plain;q=0.5', JSON_T], // an unknown type still takes the slot
    ['a/b, text/plain', PLAIN], // one-character tokens do not parse in Kong's grammar
    ['application/grpc', ''],
  ])('%j → %s', (accept, type) => {
    expect(responseTypeFor(accept)).toBe(type)
  })
})

describe('renderKongError', () => {
  it('renders the exact JSON template (no escaping, no trailing newline)', () => {
    const e = renderKongError(404, 'no Route matched with those values', { requestId: ID, producer: 'kong', accept: '*/*' })
    expect(e.contentType).toBe(JSON_T)
    expect(e.body).toBe(`{\n  "message":"no Route matched with those values",\n  "request_id":"${ID}"\n}`)
    expect(JSON.parse(e.body)).toEqual({ message: 'no Route matched with those values', request_id: ID })
  })

  it('renders plain, html and xml templates', () => {
    const opts = { requestId: ID, producer: 'kong' as const }
    expect(renderKongError(401, 'Unauthorized', { ...opts, accept: 'text/plain' }).body).toBe(`Unauthorized\nrequest_id: ${ID}\n`)
    const html = renderKongError(401, 'Unauthorized', { ...opts, accept: 'text/html' })
    expect(html.contentType).toBe(HTML)
    expect(html.body).toContain('<p>Unauthorized.</p>')
    expect(html.body).toContain(`<p>request_id: ${ID}</p>`)
    expect(html.body.startsWith('<!doctype html>\n<html>')).toBe(true)
    const xml = renderKongError(401, 'Unauthorized', { ...opts, accept: 'application/xml' })
    expect(xml).toEqual({
      contentType: XML,
      body: `<?xml version="1.0" encoding="UTF-8"?>\n<error>\n  <message>Unauthorized</message>\n  <requestid>${ID}</requestid>\n</error>\n`,
    })
  })

  it("producer 'kong' defaults to JSON without Accept and ignores Content-Type", () => {
    const e = renderKongError(503, 'no Service found with those values', { requestId: ID, producer: 'kong', contentType: 'text/plain' })
    expect(e.contentType).toBe(JSON_T)
    expect(renderKongError(404, 'x', { requestId: ID, producer: 'kong', accept: ['text/plain', 'application/json'] }).contentType).toBe(PLAIN)
  })

  it("producer 'nginx' falls back to Content-Type, then to text/plain", () => {
    const msg = 'An invalid response was received from the upstream server'
    expect(renderKongError(502, msg, { requestId: ID, producer: 'nginx' })).toEqual({ contentType: PLAIN, body: `${msg}\nrequest_id: ${ID}\n` })
    expect(renderKongError(502, msg, { requestId: ID, producer: 'nginx', contentType: 'application/json' }).contentType).toBe(JSON_T)
    expect(renderKongError(502, msg, { requestId: ID, producer: 'nginx', contentType: 'application/x-www-form-urlencoded' }).contentType).toBe(JSON_T)
    expect(renderKongError(502, msg, { requestId: ID, producer: 'nginx', contentType: 'text/html; charset=utf-8' }).contentType).toBe(HTML)
    expect(renderKongError(502, msg, { requestId: ID, producer: 'nginx', accept: 'text/*', contentType: 'application/json' }).contentType).toBe(PLAIN)
    expect(renderKongError(502, msg, { requestId: ID, producer: 'nginx', errorDefaultType: 'application/xml' }).contentType).toBe(XML)
  })

  it('flags gRPC requests instead of rendering a body', () => {
    expect(renderKongError(502, null, { requestId: ID, producer: 'nginx', contentType: 'application/grpc+proto' })).toMatchObject({ grpc: true, body: '' })
    expect(renderKongError(500, null, { requestId: ID, producer: 'kong', grpc: true })).toMatchObject({ grpc: true, body: '' })
  })

  it('uses the per-producer default messages', () => {
    expect(renderKongError(504, null, { requestId: ID, producer: 'nginx' }).body).toBe(`The upstream server is timing out\nrequest_id: ${ID}\n`)
    expect(defaultErrorMessage(429, 'kong')).toBe('Too many requests')
    expect(defaultErrorMessage(429, 'nginx')).toBe('The upstream server responded with 429')
    expect(defaultErrorMessage(499, 'kong')).toBe('The upstream server responded with 499')
  })
})

describe('newRequestId', () => {
  it('returns 32 lowercase hex characters, unique across pool refills', () => {
    const seen = new Set<string>()
    for (let i = 0; i < 2000; i++) {
      const id = newRequestId()
      expect(id).toMatch(/^[0-9a-f]{32}$/)
      seen.add(id)
    }
    expect(seen.size).toBe(2000)
  })
})

describe('classifyUpstreamError / KIND_RESPONSE', () => {
  const withCode = (code: string) => Object.assign(new Error(code), { code })
  it.each([
    [new undiciErrors.ConnectTimeoutError(), 'connect_timeout'],
    [new undiciErrors.HeadersTimeoutError(), 'read_timeout'],
    [new undiciErrors.BodyTimeoutError(), 'read_timeout'],
    [new undiciErrors.SocketError('other side closed'), 'reset'],
    [new undiciErrors.RequestAbortedError(), 'aborted'],
    [withCode('ECONNREFUSED'), 'refused'],
    [withCode('ECONNRESET'), 'reset'],
    [withCode('ENOTFOUND'), 'dns'],
    [withCode('EAI_AGAIN'), 'dns'],
    [withCode('HPE_INVALID_CONSTANT'), 'invalid_response'],
    [withCode('UND_ERR_RES_CONTENT_LENGTH_MISMATCH'), 'invalid_response'],
    [Object.assign(new AggregateError([withCode('ECONNREFUSED')]), {}), 'refused'],
    [new Error('who knows'), 'invalid_response'],
  ] as const)('%s → %s', (err, kind) => {
    expect(classifyUpstreamError(err)).toBe(kind)
  })

  it('maps kinds to Kong statuses and messages', () => {
    expect(KIND_RESPONSE.read_timeout).toEqual({ status: 504, message: 'The upstream server is timing out', producer: 'nginx' })
    expect(KIND_RESPONSE.connect_timeout.status).toBe(504)
    expect(KIND_RESPONSE.refused).toEqual({ status: 502, message: 'An invalid response was received from the upstream server', producer: 'nginx' })
    expect(KIND_RESPONSE.invalid_response.status).toBe(502)
    expect(KIND_RESPONSE.dns).toEqual({ status: 503, message: 'name resolution failed', producer: 'kong' })
  })
})

describe('UpstreamPools', () => {
  it('shares a pool per origin+timeouts and separates different settings', async () => {
    const pools = new UpstreamPools()
    const a = pools.get(target(1000))
    expect(pools.get(target(1000))).toBe(a)
    expect(pools.get(target(1000, { retries: 9 }))).toBe(a) // retries are not a pool property
    expect(pools.get(target(1000, { readTimeout: 1 }))).not.toBe(a)
    expect(pools.get(target(1001))).not.toBe(a)
    expect(pools.get({ ...target(1000), protocol: 'https' })).not.toBe(a)
    expect(pools.size).toBe(4)
    await pools.close()
    expect(() => pools.get(target(1002))).toThrow(/closed/)
  })
})
