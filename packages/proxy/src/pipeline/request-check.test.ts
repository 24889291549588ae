// Unit tests of the nginx-equivalent head checks: Host validity, percent escapes, absolute-form splitting,
// size limits and the answers to node's parse errors.
import { describe, expect, it } from 'vitest'
import { PassThrough } from 'node:stream'
import type { IncomingMessage } from 'node:http'
import { aboveRoot, absoluteTarget, badPercent, checkRequest, HEAD_LIMIT, LINE_LIMIT, onClientError, validHost } from './request-check.ts'

function req(rawHeaders: string[], minor = 1): IncomingMessage {
  const headers: Record<string, string> = {}
  for (let i = 0; i < rawHeaders.length; i += 2) headers[rawHeaders[i].toLowerCase()] ??= rawHeaders[i + 1]
  return { rawHeaders, headers, httpVersionMajor: 1, httpVersionMinor: minor } as unknown as IncomingMessage
}

describe('validHost (nginx ngx_http_validate_host)', () => {
  it('accepts names, ports, IPv6 literals, a trailing dot and the characters nginx lets through', () => {
    for (const h of ['example.test', 'Example.TEST:8000', '[::1]:80', 'localhost.', 'a_b.test', 'a,b']) expect(validHost(h), h).toBe(true)
  })
  it("refuses empty, '/', spaces, control characters, '..' and a lone dot", () => {
    for (const h of ['', 'a/b', 'a b', 'a\tb', 'a\x7fb', 'a..b', '.', '..']) expect(validHost(h), JSON.stringify(h)).toBe(false)
  })
})

describe('badPercent', () => {
  it('flags %00 and escapes without two hex digits', () => {
    for (const p of ['/%00', '/a%zz', '/a%2', '/a%', '/%0g']) expect(badPercent(p), p).toBe(true)
    for (const p of ['/', '/a%20b', '/%2F%2f', '/%e2%82%ac']) expect(badPercent(p), p).toBe(false)
  })
})

describe('aboveRoot', () => {
  it('flags .. segments that climb above the root, escaped or not', () => {
    for (const p of ['/..', '/../etc/passwd', '/a/../..', '/%2e%2e/x', '/a/%2E%2e/%2e./b', '//..//x']) expect(aboveRoot(p), p).toBe(true)
    for (const p of ['/', '/a/..', '/a/../b', '/a/./b/../c', '/file..json', '/a/...', '/%2e', '/a%2e%2e']) expect(aboveRoot(p), p).toBe(false)
  })
})

describe('absoluteTarget', () => {
  it('splits authority from path and query', () => {
    expect(absoluteTarget('http://api.test:81/a/b?x=1')).toEqual({ authority: 'api.test:81', target: '/a/b?x=1' })
    expect(absoluteTarget('HTTPS://[::1]/')).toEqual({ authority: '[::1]', target: '/' })
    expect(absoluteTarget('http://h')).toEqual({ authority: 'h', target: '/' })
    expect(absoluteTarget('http://h?q')).toEqual({ authority: 'h', target: '/?q' })
  })
  it('refuses other forms and userinfo', () => {
    for (const t of ['*', 'h/a', 'http:/h/a', 'http:///a', 'http://u@h/a', 'http://h#f', '1http://h/']) expect(absoluteTarget(t), t).toBeNull()
  })
})

describe('checkRequest', () => {
  it('passes an ordinary request', () => {
    expect(checkRequest(req(['Host', 'a.test', 'Accept', '*/*']), 'GET', '/x')).toBeNull()
    expect(checkRequest(req([], 0), 'GET', '/x')).toBeNull() // HTTP/1.0 needs no Host
  })
  it('414 for a request line over 8k, 400 too large for a header line over 8k or a head over 32k', () => {
    expect(checkRequest(req(['Host', 'a']), 'GET', '/' + 'a'.repeat(LINE_LIMIT))?.status).toBe(414)
    expect(checkRequest(req(['Host', 'a', 'Cookie', 'c'.repeat(LINE_LIMIT)]), 'GET', '/')?.message).toBe('Request header or cookie too large')
    const many = Array.from({ length: 5 }, (_, i) => [`X-${i}`, 'v'.repeat(HEAD_LIMIT / 5)]).flat()
    expect(checkRequest(req(['Host', 'a', ...many]), 'GET', '/')?.status).toBe(400)
  })
  it('400 for two Host headers, a bad Host, no Host on HTTP/1.1, Transfer-Encoding on HTTP/1.0; 405 for TRACE', () => {
    expect(checkRequest(req(['Host', 'a', 'HOST', 'b']), 'GET', '/')?.message).toBe('Bad request')
    expect(checkRequest(req(['Host', 'a b']), 'GET', '/')?.status).toBe(400)
    expect(checkRequest(req([]), 'GET', '/')?.status).toBe(400)
    expect(checkRequest(req(['Host', 'a', 'Transfer-Encoding', 'chunked'], 0), 'POST', '/')?.status).toBe(400)
    expect(checkRequest(req(['Host', 'a', 'Transfer-Encoding', 'chunked']), 'POST', '/')).toBeNull()
    expect(checkRequest(req(['Host', 'a']), 'TRACE', '/')).toMatchObject({ status: 405, message: 'Method not allowed', close: false })
  })
})

describe('onClientError', () => {
  function answer(err: Parameters<typeof onClientError>[0]): string {
    const sock = new PassThrough()
    let out = ''
    sock.on('data', (d) => (out += d))
    onClientError(err, sock)
    return out
  }
  const overflow = (packet: string, bytesParsed = packet.length) => Object.assign(new Error('Parse Error: Header overflow'), { code: 'HPE_HEADER_OVERFLOW', rawPacket: Buffer.from(packet), bytesParsed })

  it("answers a parse error with Kong's text/plain Bad request, a request id and Connection: close", () => {
    const out = answer(Object.assign(new Error('Parse Error'), { code: 'HPE_INVALID_METHOD', rawPacket: Buffer.from('GARBAGE\r\n\r\n') }))
    const id = /X-Kong-Request-Id: ([0-9a-f]{32})/.exec(out)![1]
    expect(out).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/)
    expect(out).toContain('Content-Type: text/plain; charset=utf-8\r\n')
    expect(out).toContain('Connection: close\r\n')
    expect(out.endsWith(`\r\n\r\nBad request\nrequest_id: ${id}\n`)).toBe(true)
  })
  it('tells an overflowing request line (414) from overflowing headers (400)', () => {
    expect(answer(overflow('GET /' + 'a'.repeat(100)))).toMatch(/^HTTP\/1\.1 414 /)
    expect(answer(overflow('GET / HTTP/1.1\r\nHost: a\r\nX-Big: ' + 'b'.repeat(100)))).toMatch(/^HTTP\/1\.1 400 [^]*Request header or cookie too large\n/)
    // a keep-alive connection: the previous request's head is in the same chunk
    expect(answer(overflow('GET / HTTP/1.1\r\nHost: a\r\n\r\nGET /' + 'a'.repeat(100)))).toMatch(/^HTTP\/1\.1 414 /)
  })
  it('closes without an answer on a reset or a header timeout', () => {
    for (const code of ['ECONNRESET', 'ERR_HTTP_REQUEST_TIMEOUT']) expect(answer(Object.assign(new Error(code), { code }))).toBe('')
  })
})
