// Making identity-provider text safe to forward in a request header. A header value may carry visible
// ASCII, space and tab only (RFC 9110 §5.5, minus obs-text); CR or LF would split the header (injection),
// and non-ASCII is mangled or rejected by servers.

const SAFE = /^[\t\x20-\x7e]*$/

export function isHeaderSafe(value: string): boolean {
  return SAFE.test(value)
}

/** How a value was made header-safe: `none` verbatim, `json` compacted JSON, `base64` UTF-8 bytes. */
export type HeaderEncoding = 'none' | 'json' | 'base64'

/**
 * Turn a body into one header value, changing as little as possible:
 * 1. Surrounding whitespace is dropped (HTTP drops it anyway); a value that is then safe goes verbatim.
 * 2. Valid JSON is compacted without being re-serialised: line breaks and tabs (which valid JSON only has
 *    between tokens) are removed and every character outside printable ASCII (only possible inside JSON
 *    strings) becomes a `\uXXXX` escape. `JSON.parse` gives the same value, big numbers keep their digits.
 * 3. Anything else is base64 of its UTF-8 bytes; the caller announces that in a companion header.
 */
export function toHeaderValue(body: string): { value: string; encoding: HeaderEncoding } {
  const trimmed = body.replace(/^[\s\uFEFF]+|\s+$/g, '')
  if (isHeaderSafe(trimmed)) return { value: trimmed, encoding: 'none' }
  if (isJson(trimmed)) {
    const value = trimmed.replace(/[\r\n\t]/g, '').replace(/[^\x20-\x7e]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'))
    if (isHeaderSafe(value)) return { value, encoding: 'json' }
  }
  return { value: Buffer.from(body, 'utf8').toString('base64'), encoding: 'base64' }
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text)
    return true
  } catch {
    return false
  }
}

/**
 * A claim as one header value. Non-strings are JSON (compacted as above). In strings, control characters
 * become spaces, and non-ASCII text travels as its UTF-8 bytes (obs-text), which is what Kong forwards.
 */
export function claimHeaderValue(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'string') return toHeaderValue(JSON.stringify(v)).value
  const cleaned = v.replace(/[\x00-\x08\x0a-\x1f\x7f]/g, ' ').trim()
  return /^[\t\x20-\x7e]*$/.test(cleaned) ? cleaned : Buffer.from(cleaned, 'utf8').toString('latin1')
}
