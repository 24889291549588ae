// Kong's path normalization (kong/tools/uri.lua): decode unreserved %XX, uppercase the rest, drop dot
// segments, merge slashes. Used by route validation and by the proxy before matching.

const RESERVED = new Set("!*'();:@&=+$,/?%#[]".split(''))

function decodeUnreserved(p: string): string {
  if (!p.includes('%')) return p
  return p.replace(/%([0-9A-Fa-f]{2})/g, (m, hex: string) => {
    const c = String.fromCharCode(parseInt(hex, 16))
    const code = c.charCodeAt(0)
    if (code < 0x20 || code >= 0x7f || RESERVED.has(c)) return '%' + hex.toUpperCase()
    return c
  })
}

function removeDotSegments(p: string): string {
  if (!p.includes('.')) return p
  const out: string[] = []
  const segs = p.split('/')
  for (let i = 0; i < segs.length; i++) {
    const s = segs[i]
    if (s === '.') {
      if (i === segs.length - 1) out.push('')
      continue
    }
    if (s === '..') {
      if (out.length > 1) out.pop()
      if (i === segs.length - 1) out.push('')
      continue
    }
    out.push(s)
  }
  const r = out.join('/')
  return r.startsWith('/') ? r : '/' + r
}

/** Normalized form of a request path (no query string). Fast path when nothing needs doing. */
export function normalizePath(p: string): string {
  if (!p.includes('%') && !p.includes('.') && !p.includes('//')) return p
  let r = removeDotSegments(decodeUnreserved(p))
  if (r.includes('//')) r = r.replace(/\/{2,}/g, '/')
  return r
}
