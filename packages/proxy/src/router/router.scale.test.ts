// Sanity at scale: 10,000 routes build and match correctly, and the indexed router agrees with a linear scan.

import { describe, expect, it } from 'vitest'
import { buildRouter, patchRouter } from './router.ts'
import { compareMatchers, computePriority, splitPathGroups } from './priority.ts'
import type { MatchInput, PathGroup, Priority, RouteInput } from './types.ts'

function mkRoute(i: number, p: Partial<RouteInput>): RouteInput {
  return {
    id: `${(i * 2654435761 % 0xffffffff).toString(16).padStart(8, '0')}-0000-4000-8000-${i.toString(16).padStart(12, '0')}`,
    hosts: null, paths: null, methods: null, headers: null, snis: null,
    protocols: ['http', 'https'], regex_priority: 0, strip_path: true, path_handling: 'v0',
    preserve_host: false, created_at: i, ...p,
  }
}

/** Deterministic PRNG (mulberry32). */
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

// ---- reference: a deliberately naive linear scan over all matchers, written from spec §4.3 ----

interface RefMatcher { route: RouteInput; priority: Priority; group: PathGroup | null }

function refHostOk(pattern: string, name: string, port: number, isSni: boolean): boolean {
  let pn = pattern
  let pp: number | null = null
  if (!isSni) {
    const m = /^([^:]*):(\d+)$/.exec(pattern)
    if (m) { pn = m[1]; pp = Number(m[2]) }
  } else if (pn.endsWith('.')) pn = pn.slice(0, -1)
  if (pp !== null && pp !== port) return false
  if (pn.startsWith('*')) return name.endsWith(pn.slice(1))
  if (pn.endsWith('*')) return name.startsWith(pn.slice(0, -1))
  return name === pn
}

function refMatch(ms: RefMatcher[], q: MatchInput): { id: string; matchedPath: string | null } | null {
  const hm = /^([^:]*):(\d+)$/.exec(q.host)
  const name = hm ? hm[1] : q.host
  const port = hm ? Number(hm[2]) : q.port
  for (const { route: r, group } of ms) {
    if (r.methods?.length && !r.methods.includes(q.method)) continue
    if (r.hosts?.length && !r.hosts.some((h) => refHostOk(h, name, port, false))) continue
    if (r.snis?.length && q.sni !== undefined && !r.snis.some((s) => refHostOk(s, q.sni!, 0, true))) continue
    let headersOk = true
    for (const [hn, vals] of Object.entries(r.headers ?? {})) {
      const got = q.headers[hn.toLowerCase()]
      const list = got === undefined ? [] : Array.isArray(got) ? got : [got]
      const ok = list.some((g) => vals.some((v) =>
        v.startsWith('~*') ? new RegExp(v.slice(2).toLowerCase()).test(g.toLowerCase()) : v.toLowerCase() === g.toLowerCase()))
      if (!ok) { headersOk = false; break }
    }
    if (!headersOk) continue
    if (!group) return { id: r.id, matchedPath: null }
    for (const p of group.paths) {
      if (group.regex) {
        const m = new RegExp('^' + p.slice(1)).exec(q.path)
        if (m) return { id: r.id, matchedPath: m[0] }
      } else if (q.path.startsWith(p)) return { id: r.id, matchedPath: p }
    }
  }
  return null
}

function refBuild(routes: RouteInput[]): RefMatcher[] {
  const ms: RefMatcher[] = []
  for (const r of routes) {
    for (const g of splitPathGroups(r.paths) ?? [null]) ms.push({ route: r, priority: computePriority(r, g), group: g })
  }
  return ms.sort(compareMatchers)
}

// ---- tests ----

describe('10,000 routes', () => {
  it('one host or one prefix path per route: each request finds its own route', () => {
    const routes: RouteInput[] = []
    for (let i = 0; i < 5000; i++) routes.push(mkRoute(i, { hosts: [`svc${i}.example.test`] }))
    for (let i = 5000; i < 10000; i++) routes.push(mkRoute(i, { paths: [`/api/v1/svc${i}`] }))
    const r = buildRouter(routes)
    expect(r.size).toBe(10000)
    const q = (host: string, path: string): MatchInput => ({ method: 'GET', host, port: 8000, path, headers: {} })
    for (const i of [0, 1, 2500, 4999]) {
      expect(r.match(q(`svc${i}.example.test:8000`, '/x'))?.route.id).toBe(routes[i].id)
    }
    // No segment boundary: /api/v1/svc5001 also matches /api/v1/svc50010.
    expect(r.match(q('other.test', '/api/v1/svc50010/x'))?.route.id).toBe(routes[5001].id)
    expect(r.match(q('other.test', '/api/v1/svc5001/x'))?.route.id).toBe(routes[5001].id)
    expect(r.match(q('other.test', '/api/v1/svc9999'))?.matchedPath).toBe('/api/v1/svc9999')
    expect(r.match(q('other.test', '/api/v1/svc'))).toBeNull()
  })

  it('agrees with a linear scan on a random mix of hosts, wildcards, ports, paths, regexes, methods, headers', () => {
    const rand = rng(42)
    const pick = <T,>(a: readonly T[]): T => a[Math.floor(rand() * a.length)]
    const HOSTS = ['a.test', 'b.test', 'api.a.test', 'x.b.test', '*.a.test', '*.test', 'a.*', 'api.*', 'a.test:8443', '*.b.test:8000']
    const SEGS = ['api', 'v1', 'v2', 'users', 'u', 'orders', 'o', 'health', 'a', 'ab']
    const METHODS = ['GET', 'POST', 'PUT']
    const prefix = () => '/' + Array.from({ length: 1 + Math.floor(rand() * 3) }, () => pick(SEGS)).join('/')
    const regex = () => pick(['~', '~']) + prefix() + pick(['/\\d+', '/(?<id>\\d+)$', '(/x)?/\\w+', 's?/', '/[a-z]+/(\\d+)', '|/o'])
    const routes: RouteInput[] = []
    for (let i = 0; i < 10000; i++) {
      const p: Partial<RouteInput> = {}
      if (rand() < 0.4) p.hosts = Array.from({ length: 1 + Math.floor(rand() * 2) }, () => pick(HOSTS))
      if (rand() < 0.8) p.paths = Array.from({ length: 1 + Math.floor(rand() * 2) }, () => (rand() < 0.2 ? regex() : prefix()))
      if (rand() < 0.3) p.methods = [pick(METHODS)]
      if (rand() < 0.1) p.headers = { 'x-v': [pick(['1', '2', '~*^v\\d'])] }
      if (rand() < 0.05) p.snis = [pick(['a.test', '*.test'])]
      if (rand() < 0.2) p.regex_priority = Math.floor(rand() * 5) - 1
      if (rand() < 0.02) p.hosts = []
      routes.push(mkRoute(i, p))
    }
    const router = buildRouter(routes)
    const ref = refBuild(routes)
    const REQ_HOSTS = ['a.test', 'b.test', 'api.a.test', 'x.b.test', 'a.test:8443', 'x.b.test:8000', 'z.a.test', 'a.org', 'api.org', 'none.io']
    let matched = 0
    for (let n = 0; n < 1500; n++) {
      const path = prefix() + pick(['', '/42', '/x/7', 's/', 'b', '/o']) + pick(['', '/tail'])
      const q: MatchInput = {
        method: pick(METHODS), host: pick(REQ_HOSTS), port: pick([8000, 8443]), path,
        headers: rand() < 0.5 ? { 'x-v': pick(['1', '2', 'V9', 'x']) } : {},
        sni: rand() < 0.3 ? pick(['a.test', 'q.test']) : undefined,
      }
      const want = refMatch(ref, q)
      const got = router.match(q)
      expect({ id: got?.route.id ?? null, path: got?.matchedPath ?? null }, JSON.stringify(q)).toEqual({
        id: want?.id ?? null,
        path: want?.matchedPath ?? null,
      })
      if (got) matched++
    }
    expect(matched).toBeGreaterThan(500)
  })
})

describe('incremental rebuilds', () => {
  it('after each small change, the updated router agrees with a linear scan of the new route set', () => {
    const rand = rng(7)
    const pick = <T,>(a: readonly T[]): T => a[Math.floor(rand() * a.length)]
    const HOSTS = ['a.test', 'b.test', '*.a.test', 'a.*', 'a.test:8443']
    const SEGS = ['api', 'v1', 'users', 'u', 'o', 'a', 'ab']
    const prefix = () => '/' + Array.from({ length: 1 + Math.floor(rand() * 3) }, () => pick(SEGS)).join('/')
    let next = 0
    const randomRoute = () => {
      const p: Partial<RouteInput> = {}
      if (rand() < 0.4) p.hosts = [pick(HOSTS)]
      if (rand() < 0.85) p.paths = Array.from({ length: 1 + Math.floor(rand() * 2) }, () => (rand() < 0.2 ? '~' + prefix() + '/\\d+' : prefix()))
      if (rand() < 0.3) p.methods = [pick(['GET', 'POST'])]
      if (rand() < 0.2) p.regex_priority = Math.floor(rand() * 4)
      return mkRoute(next++, p)
    }
    let routes: RouteInput[] = Array.from({ length: 3000 }, randomRoute)
    let router = buildRouter(routes)
    for (let step = 0; step < 40; step++) {
      const kind = step % 3
      if (kind === 0) routes = [...routes, randomRoute()]
      else if (kind === 1) routes = routes.filter((_, i) => i !== Math.floor(rand() * routes.length))
      else {
        const i = Math.floor(rand() * routes.length)
        routes = routes.map((r, k) => (k === i ? { ...r, paths: [prefix()] } : r)) // a changed route is a new object
      }
      router = buildRouter(routes, { previous: router })
      expect(router.size).toBe(routes.length)
      const ref = refBuild(routes)
      for (let n = 0; n < 60; n++) {
        const q: MatchInput = { method: pick(['GET', 'POST']), host: pick(['a.test', 'b.test', 'x.a.test', 'a.org', 'a.test:8443']), port: 8000, path: prefix() + pick(['', '/42', 'b']), headers: {} }
        const want = refMatch(ref, q)
        const got = router.match(q)
        expect({ id: got?.route.id ?? null, path: got?.matchedPath ?? null }, `step ${step} ${JSON.stringify(q)}`).toEqual({ id: want?.id ?? null, path: want?.matchedPath ?? null })
      }
    }
  })
})

describe('patching with a delta', () => {
  it('applies added and removed routes exactly like a full build', () => {
    const rand = rng(11)
    const pick = <T,>(a: readonly T[]): T => a[Math.floor(rand() * a.length)]
    const SEGS = ['api', 'v1', 'users', 'u', 'o']
    const prefix = () => '/' + Array.from({ length: 1 + Math.floor(rand() * 3) }, () => pick(SEGS)).join('/')
    let next = 0
    const randomRoute = () => mkRoute(next++, {
      hosts: rand() < 0.3 ? [pick(['a.test', '*.a.test'])] : null,
      paths: rand() < 0.9 ? [rand() < 0.2 ? '~' + prefix() + '/\\d+' : prefix()] : null,
      regex_priority: Math.floor(rand() * 3),
    })
    let routes: RouteInput[] = Array.from({ length: 2000 }, randomRoute)
    let router = buildRouter(routes)
    for (let step = 0; step < 30; step++) {
      const i = Math.floor(rand() * routes.length)
      const removed = step % 2 ? [routes[i]] : []
      const added = [randomRoute()]
      routes = [...routes.filter((r) => !removed.includes(r)), ...added]
      const patched = patchRouter(router, { added, removed })
      expect(patched).not.toBeNull()
      router = patched!
      const ref = refBuild(routes)
      for (let n = 0; n < 60; n++) {
        const q: MatchInput = { method: 'GET', host: pick(['a.test', 'x.a.test', 'b.test']), port: 8000, path: prefix() + pick(['', '/7']), headers: {} }
        const want = refMatch(ref, q)
        const got = router.match(q)
        expect({ id: got?.route.id ?? null, path: got?.matchedPath ?? null }, `step ${step}`).toEqual({ id: want?.id ?? null, path: want?.matchedPath ?? null })
      }
    }
    // a superseded router cannot be patched again
    expect(patchRouter(buildRouter(routes, { previous: router }) && router, { added: [], removed: [] })).toBeNull()
  })
})
