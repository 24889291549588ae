// Decoding a compact JWT the way Kong's jwt_parser does, so each malformation gets Kong's message:
// "invalid JSON", "invalid alg" or "invalid signature" (prefixed with "Bad token; " by the handler).
import { isAlgorithm, type Algorithm } from './pem.ts'

export interface ParsedToken {
  header: Record<string, unknown> & { alg: Algorithm }
  claims: Record<string, unknown>
}

export type ParseError = 'invalid JSON' | 'invalid alg' | 'invalid signature'

// RFC 7515 segments are base64url without padding; padding is tolerated as Kong adds it before decoding,
// the standard alphabet (`+`, `/`) is not (Kong ≥ 3.5, #13356)
const B64URL = /^[A-Za-z0-9_-]*$/

/** Strict base64url: null when the text is not base64url. */
export function decodeBase64url(s: string): Buffer | null {
  const body = s.replace(/={1,2}$/, '')
  if (!B64URL.test(body) || body.length % 4 === 1) return null
  return Buffer.from(body, 'base64url')
}

function json(segment: string | undefined): unknown {
  if (segment === undefined) return undefined
  const bytes = decodeBase64url(segment)
  if (!bytes) return undefined
  try {
    return JSON.parse(bytes.toString('utf8'))
  } catch {
    return undefined
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/** Header and claims of a token, or Kong's reason it is not one. The signature is checked by jose later. */
export function parseToken(token: string): ParsedToken | ParseError {
  // Kong splits into at most three parts: `a.b.c.d` keeps `c.d` as the signature, which then fails to decode
  const first = token.indexOf('.')
  const second = first < 0 ? -1 : token.indexOf('.', first + 1)
  if (second < 0) return 'invalid JSON'
  const header = json(token.slice(0, first))
  const claims = json(token.slice(first + 1, second))
  // RFC 7519 §7.2: the claims set must be a JSON object; Kong fails later (500) on anything else
  if (header === undefined || !isObject(claims)) return 'invalid JSON'
  if (!isObject(header) || !isAlgorithm(header.alg)) return 'invalid alg'
  if (!decodeBase64url(token.slice(second + 1))) return 'invalid signature'
  return { header: header as ParsedToken['header'], claims }
}
