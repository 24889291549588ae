// Route priority for the default (traditional_compatible) router: Kong's documented 64-bit layout, as a tuple.
//
// Kong (kong/router/transform.lua `get_priority`) packs, most significant first:
//   W (63–61) attribute count, P (60) plain-hosts-only, H (59–52) header count, X (51) regex path,
//   R (50–19) regex_priority, L (18–0) prefix length; equal priorities go to the greater UUID.
// Since 3.0 Kong shifts W, H and R as 32-bit numbers (spec §4.4 "what Kong actually computes"), which
// reorders some routes. We implement the documented intent instead (spec §4.4 [recommend]); comparing the
// fields as a tuple avoids both that bug and R overflowing into neighbouring bits.

import type { PathGroup, Priority, RouteInput } from './types.ts'

const MAX_HEADER_COUNT = 255
const MAX_PREFIX_LENGTH = 0x7ffff
const INT32_MIN = -0x80000000
const INT32_MAX = 0x7fffffff

export function isRegexPath(p: string): boolean {
  return p.charCodeAt(0) === 126 /* ~ */
}

/** Byte length, as Lua's `#p` (Kong compares prefix lengths in bytes). */
export function byteLength(s: string): number {
  return Buffer.byteLength(s, 'utf8')
}

function nonEmpty(v: unknown[] | Record<string, unknown> | null | undefined): boolean {
  if (v == null) return false
  return Array.isArray(v) ? v.length > 0 : Object.keys(v).length > 0
}

/** Header names that take part in matching (a name with no values cannot be satisfied; Kong's schema rejects it). */
export function headerNames(headers: Record<string, string[]> | null): string[] {
  if (!headers) return []
  return Object.keys(headers).filter((k) => Array.isArray(headers[k]) && headers[k].length > 0)
}

/**
 * Split a route's paths the way Kong's `split_routes_and_services_by_path` does: all regex paths form one
 * group and prefix paths are grouped by length, so `["/a", "/abc/def"]` competes as two matchers each
 * ranked by its own prefix length. Returns null when the route has no path condition.
 */
export function splitPathGroups(paths: string[] | null): PathGroup[] | null {
  if (!paths || paths.length === 0) return null
  // the usual route has one path: no map (this runs for every route of a configuration at start-up)
  if (paths.length === 1) {
    const p = paths[0]
    return isRegexPath(p) ? [{ regex: true, paths, length: 0 }] : [{ regex: false, paths, length: byteLength(p) }]
  }
  const regex: string[] = []
  const byLen = new Map<number, string[]>()
  for (const p of paths) {
    if (isRegexPath(p)) {
      if (!regex.includes(p)) regex.push(p)
      continue
    }
    const len = byteLength(p)
    const list = byLen.get(len)
    if (!list) byLen.set(len, [p])
    else if (!list.includes(p)) list.push(p)
  }
  const groups: PathGroup[] = []
  if (regex.length > 0) groups.push({ regex: true, paths: regex, length: 0 })
  for (const [length, list] of byLen) groups.push({ regex: false, paths: list, length })
  return groups
}

function clamp(n: number, lo: number, hi: number): number {
  if (!Number.isFinite(n)) return 0
  return Math.min(hi, Math.max(lo, Math.trunc(n)))
}

/** Priority of one matcher: `route` restricted to path group `group` (null = no paths). */
export function computePriority(route: RouteInput, group: PathGroup | null): Priority {
  let w = 0
  if (nonEmpty(route.methods)) w++
  if (nonEmpty(route.hosts)) w++
  const h = Math.min(headerNames(route.headers).length, MAX_HEADER_COUNT)
  if (h > 0) w++
  // snis count towards W even for plain-HTTP requests, where they are not checked (Kong does the same).
  if (nonEmpty(route.snis)) w++
  if (group) w++
  // [quirk, spec §4.4] Kong tests `type(hosts) == "table"`, so a stored `hosts: []` also sets P.
  const p = Array.isArray(route.hosts) && !route.hosts.some((x) => x.includes('*')) ? 1 : 0
  const x = group?.regex ? 1 : 0
  // R is 32 bits wide in the intended layout; treat it as signed so a negative regex_priority ranks lower.
  const r = x ? clamp(route.regex_priority ?? 0, INT32_MIN, INT32_MAX) : 0
  const l = group && !group.regex ? Math.min(group.length, MAX_PREFIX_LENGTH) : 0
  return { w, p, h, x, r, l }
}

/** Negative when `a` ranks before (is tried before) `b`. */
export function comparePriority(a: Priority, b: Priority): number {
  return b.w - a.w || b.p - a.p || b.h - a.h || b.x - a.x || b.r - a.r || b.l - a.l
}

/**
 * Full matcher order: priority, then the greater id (Kong's atc-router keeps matchers keyed by
 * (priority, uuid) and iterates in descending order; byte-wise = JS code unit order for hex UUIDs).
 * Note: the older docs' "older created_at wins" only holds for the `traditional` router.
 */
export function compareMatchers(a: { priority: Priority; route: { id: string } }, b: { priority: Priority; route: { id: string } }): number {
  const c = comparePriority(a.priority, b.priority)
  if (c !== 0) return c
  const ai = a.route.id
  const bi = b.route.id
  return ai === bi ? 0 : ai > bi ? -1 : 1
}

/**
 * The intended 64-bit value as a BigInt, for logs/debugging ("explain why this route won"). R is stored
 * offset by 2^31 so that the unsigned key orders like the signed tuple comparison above.
 */
export function priorityKey(p: Priority): bigint {
  return (
    (BigInt(Math.min(p.w, 7)) << 61n) |
    (BigInt(p.p) << 60n) |
    (BigInt(p.h) << 52n) |
    (BigInt(p.x) << 51n) |
    (BigInt(p.r - INT32_MIN) << 19n) |
    BigInt(p.l)
  )
}
