// IP addresses and CIDR lists (Kong's kong.tools.ip and resty.ipmatcher): parse once, match many times.
// IPv4 is one unsigned 32-bit integer; IPv6 is four 32-bit words, so matching never allocates.

/** A parsed address: `v4` holds one word, `v6` four (most significant first). */
export type ParsedIp = { v: 4; w: number } | { v: 6; w: [number, number, number, number] }

/** Parses a dotted IPv4 address into an unsigned 32-bit integer, or -1 (no allocation: it runs per request). */
export function parseIpv4(s: string): number {
  const len = s.length
  if (len < 7 || len > 15) return -1
  let n = 0
  let octet = 0
  let digits = 0
  let dots = 0
  for (let i = 0; i < len; i++) {
    const c = s.charCodeAt(i)
    if (c === 46) {
      if (digits === 0 || dots === 3) return -1
      n = n * 256 + octet
      octet = 0
      digits = 0
      dots++
    } else if (c >= 48 && c <= 57) {
      // no leading zeros ("01" is ambiguous: octal to some parsers)
      if (digits > 0 && octet === 0) return -1
      octet = octet * 10 + (c - 48)
      if (++digits > 3 || octet > 255) return -1
    } else return -1
  }
  if (digits === 0 || dots !== 3) return -1
  return n * 256 + octet
}

/** Parses an IPv6 address (with `::`, an embedded IPv4 tail and an optional `%zone`) into 4 words, or null. */
export function parseIpv6(s: string): [number, number, number, number] | null {
  const pct = s.indexOf('%')
  if (pct >= 0) s = s.slice(0, pct)
  if (s.length < 2 || s.length > 45) return null
  const groups: number[] = []
  let gap = -1
  const parts = s.split(':')
  // a leading or trailing `::` shows up as two empty parts; a lone `:` at either end is invalid
  let start = 0
  let end = parts.length
  if (parts[0] === '') {
    if (parts[1] !== '') return null
    start = 1
  }
  if (parts[end - 1] === '') {
    if (parts[end - 2] !== '') return null
    end--
  }
  for (let i = start; i < end; i++) {
    const p = parts[i]
    if (p === '') {
      if (gap >= 0) return null
      gap = groups.length
      continue
    }
    if (i === end - 1 && p.includes('.')) {
      const v4 = parseIpv4(p)
      if (v4 < 0) return null
      groups.push(v4 >>> 16, v4 & 0xffff)
      continue
    }
    if (!/^[0-9a-fA-F]{1,4}$/.test(p)) return null
    groups.push(parseInt(p, 16))
  }
  if (gap < 0 ? groups.length !== 8 : groups.length > 7) return null
  if (gap >= 0) groups.splice(gap, 0, ...new Array(8 - groups.length).fill(0))
  return [
    ((groups[0] << 16) | groups[1]) >>> 0,
    ((groups[2] << 16) | groups[3]) >>> 0,
    ((groups[4] << 16) | groups[5]) >>> 0,
    ((groups[6] << 16) | groups[7]) >>> 0,
  ]
}

/** Parses either family. An IPv4-mapped IPv6 address (`::ffff:1.2.3.4`) is its IPv4 address, as sockets report it. */
export function parseIp(s: string): ParsedIp | null {
  const v4 = parseIpv4(s)
  if (v4 >= 0) return { v: 4, w: v4 }
  const v6 = parseIpv6(s)
  if (v6 === null) return null
  if (v6[0] === 0 && v6[1] === 0 && v6[2] === 0xffff) return { v: 4, w: v6[3] }
  return { v: 6, w: v6 }
}

type Cidr = { v: 4; net: number; mask: number } | { v: 6; net: number[]; mask: number[] }

const mask32 = (bits: number): number => (bits <= 0 ? 0 : bits >= 32 ? 0xffffffff : (0xffffffff << (32 - bits)) >>> 0)

/** Parses `ip` or `ip/bits` (Kong's is_valid_ip_or_cidr), or null when invalid. */
export function parseCidr(s: string): Cidr | null {
  const slash = s.indexOf('/')
  const addr = slash < 0 ? s : s.slice(0, slash)
  const bitsText = slash < 0 ? null : s.slice(slash + 1)
  if (bitsText !== null && !/^\d{1,3}$/.test(bitsText)) return null
  const v4 = parseIpv4(addr)
  if (v4 >= 0) {
    const bits = bitsText === null ? 32 : Number(bitsText)
    if (bits > 32) return null
    const mask = mask32(bits)
    return { v: 4, net: (v4 & mask) >>> 0, mask }
  }
  const v6 = parseIpv6(addr)
  if (v6 === null) return null
  const bits = bitsText === null ? 128 : Number(bitsText)
  if (bits > 128) return null
  const mask = [0, 1, 2, 3].map((i) => mask32(bits - 32 * i))
  return { v: 6, net: v6.map((w, i) => (w & mask[i]) >>> 0), mask }
}

/** True when `s` is an IPv4/IPv6 address or CIDR block. */
export function isIpOrCidr(s: string): boolean {
  return parseCidr(s) !== null
}

/** A compiled list of addresses and CIDR blocks. */
export interface IpMatcher {
  /** True when the address is in one of the blocks; false for anything that is not an address. */
  match(ip: string): boolean
  matchParsed(ip: ParsedIp): boolean
}

/**
 * Compiles a list once (Kong's resty.ipmatcher). Invalid entries throw: schemas validate lists before this.
 * Exact IPv4 addresses go into a Set of integers; blocks are checked with one AND and compare per word.
 */
export function compileIpMatcher(list: readonly string[]): IpMatcher {
  const exact4 = new Set<number>()
  const nets4: Array<{ net: number; mask: number }> = []
  const nets6: Array<{ net: number[]; mask: number[] }> = []
  for (const entry of list) {
    const c = parseCidr(entry)
    if (c === null) throw new Error(`invalid ip or cidr range: '${entry}'`)
    if (c.v === 4) {
      if (c.mask === 0xffffffff) exact4.add(c.net)
      else nets4.push(c)
    } else nets6.push(c)
  }
  const matchParsed = (ip: ParsedIp): boolean => {
    if (ip.v === 4) {
      const n = ip.w
      if (exact4.has(n)) return true
      for (let i = 0; i < nets4.length; i++) if ((n & nets4[i].mask) >>> 0 === nets4[i].net) return true
      return false
    }
    const w = ip.w
    outer: for (let i = 0; i < nets6.length; i++) {
      const { net, mask } = nets6[i]
      for (let j = 0; j < 4; j++) if ((w[j] & mask[j]) >>> 0 !== net[j]) continue outer
      return true
    }
    return false
  }
  return {
    matchParsed,
    match(ip: string): boolean {
      const p = parseIp(ip)
      return p !== null && matchParsed(p)
    },
  }
}
