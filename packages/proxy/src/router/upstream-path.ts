// Upstream path from the service path, the route match and the request path: Kong's strip_path / path_handling.
//
// Ported from Kong 3.x kong/router/utils.lua (`get_upstream_uri_v0`, `sanitize_uri_postfix`) and the
// traditional router's v1 branch; spec §4.5 has the rules and the fixture table the tests replay.
// Inputs and output are the normalized path (no query string); re-escaping it for the wire and appending
// the query string are the caller's job.

import type { RouteInput, RouteMatch } from './types.ts'

const SLASH = 47

export interface UpstreamPathOptions {
  /**
   * Honour `path_handling: 'v1'`. Kong's default router (traditional_compatible) always uses v0 and
   * ignores the field (spec §4.5), so this is off unless a `traditional` flavour is emulated.
   */
  honourPathHandling?: boolean
}

/** Kong's `sanitize_uri_postfix`: drop one leading './' or '../'; '.' and '..' become empty. */
export function sanitizePostfix(p: string): string {
  if (p === '') return p
  if (p === '.' || p === '..') return ''
  if (p.startsWith('./')) return p.slice(2)
  if (p.startsWith('../')) return p.slice(3)
  return p
}

/**
 * The part of the request path after what the route matched, when stripping; `null` when strip_path is
 * off. A route matched without a path behaves as prefix '/' (rest = path without its leading '/').
 * Kong cuts by the *length* of the match (`req_uri:sub(#matched_path + 1)`), which we mirror.
 */
function strippedRest(m: RouteMatch<RouteInput>, requestPath: string): string | null {
  if (!m.route.strip_path) return null
  const cut = m.matchedPath !== null ? m.matchedPath.length : 1
  return sanitizePostfix(requestPath.slice(cut))
}

export function upstreamPathV0(base: string, rest: string | null, req: string): string {
  const baseEndsWithSlash = base.charCodeAt(base.length - 1) === SLASH
  const reqEndsWithSlash = req.charCodeAt(req.length - 1) === SLASH
  if (baseEndsWithSlash) {
    if (rest === null) return base + req.slice(1) // strip off: keep the path, skip its initial '/'
    if (rest === '') {
      if (base === '/' || reqEndsWithSlash) return base
      return base.slice(0, -1)
    }
    if (rest.charCodeAt(0) === SLASH) return base.slice(0, -1) + rest // avoid a double '/'
    return base + rest
  }
  if (rest === null) return req === '/' ? base : base + req
  if (rest === '') return req.length > 1 && reqEndsWithSlash ? base + '/' : base
  if (rest.charCodeAt(0) === SLASH) return base + rest
  return base + '/' + rest
}

/** v1 concatenates without inserting '/' (`/srv` + `req` = `/srvreq`), dropping one if both sides have it. */
export function upstreamPathV1(base: string, rest: string | null, req: string): string {
  if (rest === null) return base + req.slice(1)
  if (base.charCodeAt(base.length - 1) === SLASH && rest.charCodeAt(0) === SLASH) return base + rest.slice(1)
  return base + rest
}

/** Upstream path (without query) per Kong v0/v1 rules. */
export function upstreamPath(
  servicePath: string | null,
  m: RouteMatch<RouteInput>,
  requestPath: string,
  opts: UpstreamPathOptions = {},
): string {
  const base = servicePath || '/'
  const req = requestPath || '/'
  const rest = strippedRest(m, req)
  if (opts.honourPathHandling && m.route.path_handling === 'v1') return upstreamPathV1(base, rest, req)
  return upstreamPathV0(base, rest, req)
}

/** The stripped prefix for X-Forwarded-Prefix (null when nothing other than '/' was stripped). */
export function strippedPrefix(m: RouteMatch<RouteInput>): string | null {
  // Kong's handler sets X-Forwarded-Prefix from the router's `prefix` (the matched path when strip_path
  // is on) unless it is '/'.
  if (!m.route.strip_path || !m.matchedPath || m.matchedPath === '/') return null
  return m.matchedPath
}
