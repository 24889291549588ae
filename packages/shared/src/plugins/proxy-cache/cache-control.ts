// Cache-Control as Kong reads it: parse_directive_header and calculate_resource_ttl (kong/tools/http.lua).

export type Directives = Record<string, number | string | true>

export function parseDirectives(h: string | string[] | undefined): Directives {
  const t: Directives = {}
  if (h === undefined) return t
  const s = Array.isArray(h) ? h.join(', ') : h
  for (const part of s.split(',')) {
    const m = /^\s*([^=]+)(?:=(.+))?/.exec(part)
    if (!m) continue
    const v = m[2]
    // a numeric token is a number, like Lua's tonumber (a trailing space is allowed there too)
    t[m[1].toLowerCase()] = v === undefined ? true : v.trim() !== '' && !Number.isNaN(Number(v)) ? Number(v) : v
  }
  return t
}

/** s-maxage, else max-age, else Expires minus now; never below 0. */
export function resourceTtl(cc: Directives, expires: string | string[] | undefined, nowSeconds: number): number {
  let maxAge = num(cc['s-maxage']) ?? num(cc['max-age'])
  if (maxAge === undefined && expires !== undefined) {
    const e = Array.isArray(expires) ? expires[expires.length - 1] : expires
    const t = Date.parse(e)
    if (!Number.isNaN(t)) maxAge = Math.floor(t / 1000) - nowSeconds
  }
  return maxAge === undefined ? 0 : Math.max(maxAge, 0)
}

export function num(v: number | string | true | undefined): number | undefined {
  return typeof v === 'number' ? v : undefined
}
