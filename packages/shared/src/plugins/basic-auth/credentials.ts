// Reading `Basic` credentials from Authorization / Proxy-Authorization as Kong's basic-auth access.lua does.

// Kong: re_gmatch(header, "\s*[Bb]asic\s*(.+)") — a search, not anchored at the start
const BASIC = /\s*[Bb]asic\s*(.+)/
// Kong: re_match(decoded, "([^:]+):(.*)") — also a search, so a leading ':' is skipped
const PARTS = /([^:]+):(.*)/
const B64 = /^[A-Za-z0-9+/]*={0,2}$/

/** ngx.decode_base64: strict alphabet, padding optional; undefined where nginx answers nil. */
export function decodeBase64(s: string): string | undefined {
  if (!B64.test(s)) return undefined
  const bare = s.replace(/=+$/, '')
  if (bare.length % 4 === 1) return undefined
  return Buffer.from(bare, 'base64').toString('utf8')
}

/** Username and password from one header value, or null when it holds none in Kong's format. */
export function parseBasic(header: string | undefined): { username: string; password: string } | null {
  if (header === undefined) return null
  const m = BASIC.exec(header)
  if (!m) return null
  const decoded = decodeBase64(m[1])
  if (decoded === undefined) return null
  const parts = PARTS.exec(decoded)
  if (!parts) return null
  return { username: parts[1], password: parts[2] }
}
