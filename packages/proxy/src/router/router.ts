// The proxy's route matcher: builds an immutable, indexed router once per configuration and matches requests.
//
// Semantics are Kong's default `traditional_compatible` router (spec §4.3–4.4): every route is split into
// matchers (one per path group), matchers are ordered once by priority (rank = position), and a request
// gets the lowest-rank matcher whose conditions all hold. Instead of scanning all matchers, candidates come
// from indexes that can only contain matchers able to match:
//   - by host: exact host name → bucket, `*.x.y` suffix → bucket, `x.*` prefix → bucket, plus the bucket of
//     host-less matchers (every request looks at ≤ 1 + 2 × labels buckets);
//   - inside a bucket, by path: a radix trie over prefix paths, and over the literal start of regex paths,
//     so walking the request path once yields only matchers whose prefix is a prefix of the path.
// Each candidate list is kept in rank order, so a list is abandoned at the first match or as soon as its
// ranks cannot beat the best match found so far.

import {
  compileHeaders,
  compileHostSet,
  compileRegex,
  headersMatch,
  hostSetMatches,
  regexLiteralPrefix,
  splitHostPort,
  wildcardOf,
} from './conditions.ts'
import { compareMatchers, computePriority, headerNames, splitPathGroups } from './priority.ts'
import { RadixNode } from './trie.ts'
import type { BuildOptions, MatchInput, Matcher, RegexPath, RouteInput, RouteMatch, Router } from './types.ts'

interface Entry<R extends RouteInput> {
  m: Matcher<R>
  /** true: the trie key is only the regex's literal start, the regexes still have to run. */
  regex: boolean
}

interface Bucket<R extends RouteInput> {
  pathless: Matcher<R>[]
  trie: RadixNode<Entry<R>>
}

/** Protocols served by the HTTP subsystem; Kong builds stream routes (tcp/tls/udp) into another router. */
const HTTP_PROTOCOLS = new Set(['http', 'https', 'grpc', 'grpcs'])

const httpRouteCache = new WeakMap<object, boolean>()

function isHttpRoute(r: RouteInput): boolean {
  let v = httpRouteCache.get(r)
  if (v === undefined) httpRouteCache.set(r, (v = !r.protocols || r.protocols.length === 0 || r.protocols.some((p) => HTTP_PROTOCOLS.has(p))))
  return v
}

function commonPrefix(a: string, b: string): string {
  let i = 0
  while (i < a.length && i < b.length && a.charCodeAt(i) === b.charCodeAt(i)) i++
  return a.slice(0, i)
}

/**
 * Compiled matchers per route object. Route objects are immutable and kept across configurations while
 * unchanged, so a rebuild after one admin change compiles one route, not ten thousand. Ranks are reassigned
 * on every build; that is safe because a build and all matching happen on one thread, and the previous
 * router is never used again once the new one is swapped in.
 */
const compiled = new WeakMap<object, Matcher<any>[]>()

function compileMatchers<R extends RouteInput>(routes: readonly R[], warn: (m: string) => void): Matcher<R>[] {
  const out: Matcher<R>[] = []
  for (const route of routes) {
    const cached = compiled.get(route)
    if (cached) {
      for (const m of cached) out.push(m)
      continue
    }
    const start = out.length
    compileRoute(route, warn, out)
    compiled.set(route, out.slice(start))
  }
  return out
}

function compileRoute<R extends RouteInput>(route: R, warn: (m: string) => void, out: Matcher<R>[]): void {
  const w = (msg: string) => warn(`route ${route.id}: ${msg}`)
  // Conditions other than paths are shared by all matchers of the route.
  const methods = route.methods && route.methods.length > 0 ? new Set(route.methods) : null
  const hosts = compileHostSet(route.hosts)
  const snis = compileHostSet(route.snis, true)
  const headers = compileHeaders(route.headers, headerNames(route.headers), w)
  // One object literal per matcher, never `{ ...shared }`: on Node 20 each spread copy gets a hidden class of
  // its own (10,000 routes → 10,000 maps, megabytes, and megamorphic reads in match()).
  const matcher = (priority: Matcher<R>['priority'], group: Matcher<R>['group'], regexes: Matcher<R>['regexes']): Matcher<R> => ({ route, rank: 0, priority, methods, hosts, snis, headers, group, regexes })
  const groups = splitPathGroups(route.paths)
  if (!groups) {
    out.push(matcher(computePriority(route, null), null, null))
    return
  }
  for (const group of groups) {
    let regexes: RegexPath[] | null = null
    if (group.regex) {
      regexes = []
      for (const source of group.paths) {
        const re = compileRegex(source.slice(1), true)
        if (re instanceof Error) w(`regex path '${source}' cannot match: ${re.message}`)
        else regexes.push({ source, re })
      }
      if (regexes.length === 0) continue
    }
    out.push(matcher(computePriority(route, group), group, regexes))
  }
}

function newBucket<R extends RouteInput>(): Bucket<R> {
  return { pathless: [], trie: new RadixNode<Entry<R>>('') }
}

/** The literal text all of a regex matcher's regexes start with (its trie key). */
function regexKey(m: Matcher<RouteInput>): string {
  let lit: string | null = null
  for (const r of m.regexes!) {
    const p = regexLiteralPrefix(r.source.slice(1))
    lit = lit === null ? p : commonPrefix(lit, p)
  }
  return lit ?? ''
}

const byRank = (a: Entry<RouteInput>, b: Entry<RouteInput>) => a.m.rank < b.m.rank

/**
 * Add a matcher to a bucket. A full build inserts in rank order and appends; an incremental build inserts
 * at the matcher's rank (binary search), so every list stays sorted by rank either way.
 */
function addToBucket<R extends RouteInput>(b: Bucket<R>, m: Matcher<R>, sorted = false): void {
  if (!m.group) {
    if (!sorted) b.pathless.push(m)
    else {
      let lo = 0
      let hi = b.pathless.length
      while (lo < hi) {
        const mid = (lo + hi) >> 1
        if (m.rank < b.pathless[mid].rank) hi = mid
        else lo = mid + 1
      }
      b.pathless.splice(lo, 0, m)
    }
  } else if (m.regexes) {
    // One entry per matcher, under the literal text all its regexes start with: a regex can only match a
    // path that starts with its literal prefix, and the regexes run in `paths` order like Kong's `||`.
    b.trie.insert(regexKey(m), { m, regex: true }, sorted ? byRank : undefined)
  } else {
    for (const p of m.group.paths) b.trie.insert(p, { m, regex: false }, sorted ? byRank : undefined)
  }
}

function removeFromBucket<R extends RouteInput>(b: Bucket<R>, m: Matcher<R>): void {
  if (!m.group) b.pathless = b.pathless.filter((x) => x !== m)
  else if (m.regexes) b.trie.remove(regexKey(m), (e) => e.m === m)
  else for (const p of m.group.paths) b.trie.remove(p, (e) => e.m === m)
}

type Captures = NonNullable<RouteMatch<RouteInput>['captures']>

function execRegexes(m: Matcher<RouteInput>, path: string): { matched: string; captures: Captures } | null {
  for (const { re } of m.regexes!) {
    const r = re.exec(path)
    if (!r) continue
    const unnamed: string[] = []
    for (let i = 1; i < r.length; i++) unnamed.push(r[i] ?? '')
    const named: Record<string, string> = {}
    if (r.groups) for (const [k, v] of Object.entries(r.groups)) if (v !== undefined) named[k] = v
    return { matched: r[0], captures: { unnamed, named } }
  }
  return null
}

interface RouterState<R extends RouteInput> {
  sorted: Matcher<R>[]
  routes: Set<R>
  anyHost: Bucket<R>
  plain: Map<string, Bucket<R>>
  suffix: Map<string, Bucket<R>> // '*.x.y' keyed by '.x.y'
  prefix: Map<string, Bucket<R>> // 'x.*' keyed by 'x.'
  /** False once a newer router took over (and changed) these structures. */
  current: boolean
}

const states = new WeakMap<object, RouterState<any>>()

/** The buckets a matcher lives in (created on demand when `create`). */
function bucketsOf<R extends RouteInput>(st: RouterState<R>, m: Matcher<R>, create: boolean): Bucket<R>[] {
  if (!m.hosts) return [st.anyHost]
  const hosts = m.route.hosts!
  const out: Bucket<R>[] = []
  for (let i = 0; i < hosts.length; i++) {
    // indexed, not destructured (see compileHostSet): a full build runs this cold for every matcher
    const wild = wildcardOf(splitHostPort(hosts[i]).name)
    const kind = wild[0]
    const map = kind === 'suffix' ? st.suffix : kind === 'prefix' ? st.prefix : st.plain
    let b = map.get(wild[1])
    if (!b && create) map.set(wild[1], (b = newBucket<R>()))
    if (b && !out.includes(b)) out.push(b)
  }
  return out
}

/**
 * Build the router. With `opts.previous` (the router of the configuration being replaced) and a small
 * change, the previous structures are updated in place — only the changed routes' matchers are removed or
 * inserted, the rank order is merged rather than re-sorted — so one admin change costs about the same at
 * 10,000 routes as at 10. This is safe because building and matching share one thread and the previous
 * router is never used again once the new one is swapped in.
 */
export function buildRouter<R extends RouteInput>(routes: readonly R[], opts: BuildOptions<R> = {}): Router<R> {
  const warn = opts.onWarning ?? (() => {})
  const httpRoutes = routes.filter(isHttpRoute)
  const prev = opts.previous ? (states.get(opts.previous) as RouterState<R> | undefined) : undefined
  if (prev?.current) {
    const r = updateRouter(prev, httpRoutes, warn)
    if (r) return r
  }
  const matchers = compileMatchers(httpRoutes, warn)
  matchers.sort(compareMatchers)
  for (let i = 0; i < matchers.length; i++) matchers[i].rank = i
  const st: RouterState<R> = { sorted: matchers, routes: new Set(httpRoutes), anyHost: newBucket<R>(), plain: new Map(), suffix: new Map(), prefix: new Map(), current: true }
  // Matchers are inserted in rank order, so every list in every bucket stays sorted by rank.
  for (const m of matchers) for (const b of bucketsOf(st, m, true)) addToBucket(b, m)
  return makeRouter(st)
}

function updateRouter<R extends RouteInput>(prev: RouterState<R>, httpRoutes: R[], warn: (m: string) => void): Router<R> | null {
  const next = new Set(httpRoutes)
  const added = httpRoutes.filter((r) => !prev.routes.has(r))
  const removed: R[] = []
  for (const r of prev.routes) if (!next.has(r)) removed.push(r)
  return applyDelta(prev, added, removed, warn)
}

/**
 * Update `previous` with only the routes that changed (`removed` are the old objects, `added` the new
 * ones). Returns null when that is not possible (the previous router was already superseded, or the change
 * is large): the caller then builds from the full route list.
 */
export function patchRouter<R extends RouteInput>(previous: Router<R>, delta: { added: R[]; removed: R[] }, opts: BuildOptions<R> = {}): Router<R> | null {
  const prev = states.get(previous) as RouterState<R> | undefined
  if (!prev?.current) return null
  return applyDelta(prev, delta.added.filter(isHttpRoute), delta.removed.filter((r) => prev.routes.has(r)), opts.onWarning ?? (() => {}))
}

/** Binary search: the index of the first matcher in `list` that `m` ranks before. */
function insertionIndex<R extends RouteInput>(list: Matcher<R>[], m: Matcher<R>): number {
  let lo = 0
  let hi = list.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (compareMatchers(m, list[mid]) < 0) hi = mid
    else lo = mid + 1
  }
  return lo
}

function applyDelta<R extends RouteInput>(prev: RouterState<R>, added: R[], removed: R[], warn: (m: string) => void): Router<R> | null {
  if (added.length + removed.length > Math.max(64, prev.routes.size >> 3)) return null // a big change: rebuild
  prev.current = false
  // the superseded state is never read again, so its set and list are reused in place
  const routes = prev.routes
  const sorted = prev.sorted
  for (const r of removed) {
    routes.delete(r)
    for (const m of (compiled.get(r) ?? []) as Matcher<R>[]) {
      for (const b of bucketsOf(prev, m, false)) removeFromBucket(b, m)
      // the list is sorted and `m` is in it: find it by rank order, then by identity around that spot
      let i = insertionIndex(sorted, m) - 1
      while (i >= 0 && sorted[i] !== m) i--
      if (i >= 0) sorted.splice(i, 1)
    }
  }
  const fresh = compileMatchers(added, warn)
  for (const r of added) routes.add(r)
  // Ranks only need to order matchers, so a new one takes a rank between its neighbours' instead of
  // renumbering ten thousand matchers; when doubles run out of room between two ranks, renumber once.
  let renumber = false
  for (const m of fresh) {
    const i = insertionIndex(sorted, m)
    const lo = i > 0 ? sorted[i - 1].rank : (sorted[0]?.rank ?? 1) - 1
    const hi = i < sorted.length ? sorted[i].rank : lo + 2
    m.rank = (lo + hi) / 2
    if (!(m.rank > lo && m.rank < hi)) renumber = true
    sorted.splice(i, 0, m)
  }
  if (renumber) for (let i = 0; i < sorted.length; i++) sorted[i].rank = i
  const st: RouterState<R> = { ...prev, sorted, routes, current: true }
  for (const m of fresh) for (const b of bucketsOf(st, m, true)) addToBucket(b, m, true)
  return makeRouter(st)
}

function makeRouter<R extends RouteInput>(st: RouterState<R>): Router<R> {
  const { anyHost, plain, suffix, prefix } = st

  function match(input: MatchInput): RouteMatch<R> | null {
    const { name, port: hostPort } = splitHostPort(input.host ?? '')
    const port = hostPort ?? input.port
    const path = input.path
    const checkSni = input.sni !== undefined
    let best: Matcher<R> | null = null
    let bestRank = Infinity
    let bestPath: string | null = null
    let bestCaptures: Captures | null = null

    // Everything but the path; cheapest checks first.
    const conditionsHold = (m: Matcher<R>): boolean =>
      (!m.methods || m.methods.has(input.method)) &&
      (!m.hosts || hostSetMatches(m.hosts, name, port)) &&
      (!m.snis || !checkSni || hostSetMatches(m.snis, input.sni!, null)) &&
      (!m.headers || headersMatch(m.headers, input.headers))

    const visit = (entries: Entry<R>[], depth: number): boolean => {
      for (const e of entries) {
        if (e.m.rank >= bestRank) break
        if (!conditionsHold(e.m)) continue
        if (!e.regex) {
          best = e.m
          bestRank = e.m.rank
          bestPath = path.slice(0, depth)
          bestCaptures = null
          break
        }
        const r = execRegexes(e.m, path)
        if (r) {
          best = e.m
          bestRank = e.m.rank
          bestPath = r.matched
          bestCaptures = r.captures
          break
        }
      }
      return true
    }

    const search = (b: Bucket<R> | undefined) => {
      if (!b) return
      for (const m of b.pathless) {
        if (m.rank >= bestRank) break
        if (conditionsHold(m)) {
          best = m
          bestRank = m.rank
          bestPath = null
          bestCaptures = null
          break
        }
      }
      b.trie.walk(path, visit)
    }

    search(anyHost)
    if (plain.size > 0) search(plain.get(name))
    if (suffix.size > 0) {
      for (let j = name.indexOf('.'); j >= 0; j = name.indexOf('.', j + 1)) search(suffix.get(name.slice(j)))
    }
    if (prefix.size > 0) {
      for (let j = name.indexOf('.'); j >= 0; j = name.indexOf('.', j + 1)) search(prefix.get(name.slice(0, j + 1)))
    }

    if (best === null) return null
    return { route: (best as Matcher<R>).route, matchedPath: bestPath, captures: bestCaptures }
  }

  const router: Router<R> = { match, size: st.routes.size }
  states.set(router, st)
  return router
}
