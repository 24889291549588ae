// Where kong-auth-integration finds the token: the cookie first, then the header with its first seven
// characters dropped whatever they are (vechr's positional strip, kept for compatibility: `Bearer x` → `x`).

const SCHEME_LENGTH = 'Bearer '.length

/** One cookie's value from a Cookie header (`a=1; b=2`), undefined when absent or empty. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined
  for (const part of header.split(';')) {
    const eq = part.indexOf('=')
    if (eq < 0) continue
    if (part.slice(0, eq).trim() !== name) continue
    const value = part.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1')
    if (value !== '') return value
  }
  return undefined
}

/** The token to send, '' when the header is too short to hold one, or null when neither source is present. */
export function readToken(cookieHeader: string | undefined, header: string | undefined, cookieName: string): string | null {
  const fromCookie = readCookie(cookieHeader, cookieName)
  if (fromCookie !== undefined) return fromCookie
  if (header === undefined) return null
  return header.slice(SCHEME_LENGTH)
}
