// The HMAC side of hmac-auth, as Kong's access.lua builds it: the Authorization parameters, the signing
// string (one `name: value` line per listed header, with `@request-target` and `request-line`), the MAC.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto'
import type { Algorithm } from './schema.ts'

export interface HmacParams {
  username: string
  algorithm: string
  headers: string[]
  signature: string
}

// Kong's pattern, greedy groups and all; a search, not anchored at the start of the header
const HMAC = /\s*[Hh]mac\s*username="(.+)",\s*algorithm="(.+)",\s*headers="(.+)",\s*signature="(.+)"/
const B64 = /^[A-Za-z0-9+/]*={0,2}$/

const DIGESTS: Record<Algorithm, string> = { 'hmac-sha1': 'sha1', 'hmac-sha256': 'sha256', 'hmac-sha384': 'sha384', 'hmac-sha512': 'sha512' }

/** The parameters of one header value, or null when it is not in Kong's `hmac username=...` shape. */
export function parseHmacHeader(value: string | undefined): HmacParams | null {
  if (value === undefined) return null
  const m = HMAC.exec(value)
  if (!m) return null
  // Kong splits on single spaces: two spaces give an empty header name, signed as ":"
  return { username: m[1], algorithm: m[2], headers: m[3].split(' '), signature: m[4] }
}

export interface SigningRequest {
  method: string
  /** Path and query as the client sent them. */
  uri: string
  httpVersion: string
  header(name: string): string | undefined
}

/** The string the client signed, line by line in the order of the `headers` parameter. */
export function signingString(names: readonly string[], req: SigningRequest): string {
  const lines: string[] = []
  for (const name of names) {
    const value = req.header(name)
    if (value !== undefined) lines.push(`${name}: ${value}`)
    else if (name === '@request-target') lines.push(`${name}: ${req.method.toLowerCase()} ${req.uri}`)
    else if (name === 'request-line') lines.push(`${req.method} ${req.uri} HTTP/${req.httpVersion}`)
    else lines.push(`${name}:`)
  }
  return lines.join('\n')
}

export function sign(algorithm: Algorithm, secret: string, data: string): Buffer {
  return createHmac(DIGESTS[algorithm], secret).update(data).digest()
}

/** Constant-time check of a base64 signature; undecodable base64 never matches (ngx.decode_base64 → nil). */
export function signatureMatches(given: string, expected: Buffer): boolean {
  if (!B64.test(given) || given.replace(/=+$/, '').length % 4 === 1) return false
  const got = Buffer.from(given, 'base64')
  return got.length === expected.length && timingSafeEqual(got, expected)
}

/** Kong's body check: no Digest is fine only without a body; otherwise `SHA-256=<base64>` must match exactly. */
export function digestMatches(digest: string | undefined, body: Buffer): boolean {
  if (digest === undefined) return body.length === 0
  return digest === `SHA-256=${createHash('sha256').update(body).digest('base64')}`
}
