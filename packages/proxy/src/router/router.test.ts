// Tests for route matching semantics (spec §4.3) and which route wins (spec §4.4).

import { describe, expect, it } from 'vitest'
import { buildRouter } from './router.ts'
import { computePriority, priorityKey, splitPathGroups } from './priority.ts'
import type { MatchInput, RouteInput } from './types.ts'

let seq = 0
/** Route with defaults; ids grow with creation order, so a later route wins ties (greater UUID). */
function R(p: Partial<RouteInput> & { name?: string }): RouteInput & { name: string } {
  seq++
  return {
    id: `00000000-0000-4000-8000-${seq.toString(16).padStart(12, '0')}`,
    name: p.name ?? `r${seq}`,
    hosts: null,
    paths: null,
    methods: null,
    headers: null,
    snis: null,
    protocols: ['http', 'https'],
    regex_priority: 0,
    strip_path: true,
    path_handling: 'v0',
    preserve_host: false,
    created_at: seq,
    ...p,
  }
}

function req(p: Partial<MatchInput> = {}): MatchInput {
  return { method: 'GET', host: 'example.test', port: 8000, path: '/', headers: {}, ...p }
}

/** Name of the winning route, or null. */
function win(routes: (RouteInput & { name: string })[], p: Partial<MatchInput>): string | null {
  return buildRouter(routes).match(req(p))?.route.name ?? null
}

describe('hosts', () => {
  it('plain hosts are exact and case-sensitive', () => {
    const rs = [R({ name: 'a', hosts: ['a.test', 'b.test'] })]
    expect(win(rs, { host: 'a.test' })).toBe('a')
    expect(win(rs, { host: 'b.test' })).toBe('a')
    expect(win(rs, { host: 'A.TEST' })).toBeNull()
    expect(win(rs, { host: 'x.a.test' })).toBeNull()
  })
  it('*.x.y matches by suffix (any depth), not the bare domain', () => {
    const rs = [R({ name: 'w', hosts: ['*.example.com'] })]
    expect(win(rs, { host: 'a.example.com' })).toBe('w')
    expect(win(rs, { host: 'x.y.example.com' })).toBe('w')
    expect(win(rs, { host: 'example.com' })).toBeNull()
    expect(win(rs, { host: 'aexample.com' })).toBeNull()
  })
  it('x.* matches by prefix', () => {
    const rs = [R({ name: 'w', hosts: ['example.*'] })]
    expect(win(rs, { host: 'example.com' })).toBe('w')
    expect(win(rs, { host: 'example.co.uk' })).toBe('w')
    expect(win(rs, { host: 'www.example.com' })).toBeNull()
  })
  it('a Host header port is ignored by a route host without port', () => {
    const rs = [R({ name: 'a', hosts: ['a.test'] }), R({ name: 'w', hosts: ['*.w.test'] })]
    expect(win(rs, { host: 'a.test:9999' })).toBe('a')
    expect(win(rs, { host: 'x.w.test:9999' })).toBe('w')
  })
  it('a route host with port requires it: Host header port, else the listening port', () => {
    const rs = [R({ name: 'p', hosts: ['a.test:8080'] }), R({ name: 'wp', hosts: ['*.w.test:8080'] })]
    expect(win(rs, { host: 'a.test:8080' })).toBe('p')
    expect(win(rs, { host: 'a.test', port: 8080 })).toBe('p')
    expect(win(rs, { host: 'a.test', port: 8000 })).toBeNull()
    expect(win(rs, { host: 'a.test:9000', port: 8080 })).toBeNull()
    expect(win(rs, { host: 'x.w.test', port: 8080 })).toBe('wp')
    expect(win(rs, { host: 'x.w.test:8081' })).toBeNull()
  })
  it('splits Host only at a first ":" followed by digits (IPv6 literals stay whole)', () => {
    const rs = [R({ name: 'v6', hosts: ['[::1]'] }), R({ name: 'odd', hosts: ['b.test:x'] })]
    expect(win(rs, { host: '[::1]' })).toBe('v6')
    expect(win(rs, { host: 'b.test:x' })).toBe('odd')
  })
})

describe('methods', () => {
  it('exact, case-sensitive, no implicit HEAD for GET', () => {
    const rs = [R({ name: 'g', methods: ['GET', 'POST'] })]
    expect(win(rs, { method: 'GET' })).toBe('g')
    expect(win(rs, { method: 'POST' })).toBe('g')
    expect(win(rs, { method: 'get' })).toBeNull()
    expect(win(rs, { method: 'HEAD' })).toBeNull()
  })
})

describe('paths', () => {
  it('prefix: startsWith without segment boundary, case-sensitive', () => {
    const rs = [R({ name: 'foo', paths: ['/foo'] })]
    expect(win(rs, { path: '/foo' })).toBe('foo')
    expect(win(rs, { path: '/foo/x' })).toBe('foo')
    expect(win(rs, { path: '/foobar' })).toBe('foo')
    expect(win(rs, { path: '/Foo' })).toBeNull()
    expect(win(rs, { path: '/fo' })).toBeNull()
  })
  it('prefix: reports the matched prefix, no captures', () => {
    const m = buildRouter([R({ paths: ['/a', '/b'] })]).match(req({ path: '/bcd' }))!
    expect(m.matchedPath).toBe('/b')
    expect(m.captures).toBeNull()
  })
  it('regex: anchored at the start only; $ anchors the end', () => {
    const rs = [R({ name: 'u', paths: ['~/users/\\d+'] }), R({ name: 'e', paths: ['~/exact$'] })]
    expect(win(rs, { path: '/users/42/profile' })).toBe('u')
    expect(win(rs, { path: '/x/users/42' })).toBeNull()
    expect(win(rs, { path: '/exact' })).toBe('e')
    expect(win(rs, { path: '/exact/more' })).toBeNull()
  })
  it('regex: numbered and named captures; matchedPath is the whole match', () => {
    const rs = [R({ paths: ['~/users/(?<id>\\d+)/(\\w+)'] })]
    const m = buildRouter(rs).match(req({ path: '/users/42/posts/7' }))!
    expect(m.matchedPath).toBe('/users/42/posts')
    expect(m.captures).toEqual({ unnamed: ['42', 'posts'], named: { id: '42' } })
  })
  it('regex: accepts Rust (?P<name>) groups; optional groups capture as ""', () => {
    const m = buildRouter([R({ paths: ['~/v(?P<major>\\d+)(\\.\\d+)?'] })]).match(req({ path: '/v2/x' }))!
    expect(m.captures).toEqual({ unnamed: ['2', ''], named: { major: '2' } })
  })
  it('regex: quantifiers and escapes near the literal start are honoured (index must not over-filter)', () => {
    const rs = [
      R({ name: 'opt', paths: ['~/ob?c'] }),
      R({ name: 'star', paths: ['~/x*y'] }),
      R({ name: 'esc', paths: ['~/a\\.?b'] }),
      R({ name: 'rep', paths: ['~/qu{0,2}z'] }),
      R({ name: 'plus', paths: ['~/p+k'] }),
    ]
    expect(win(rs, { path: '/oc' })).toBe('opt')
    expect(win(rs, { path: '/obc' })).toBe('opt')
    expect(win(rs, { path: '/y' })).toBe('star')
    expect(win(rs, { path: '/ab' })).toBe('esc')
    expect(win(rs, { path: '/a.b' })).toBe('esc')
    expect(win(rs, { path: '/qz' })).toBe('rep')
    expect(win(rs, { path: '/pppk' })).toBe('plus')
  })
  it('regex: with "^" + "a|b" only the first alternative is anchored (as in Kong)', () => {
    const rs = [R({ name: 'alt', paths: ['~/a|/b'] })]
    expect(win(rs, { path: '/a1' })).toBe('alt')
    expect(win(rs, { path: '/x/b' })).toBe('alt')
    expect(win(rs, { path: '/x/a' })).toBeNull()
  })
  it('an invalid regex makes only that path unmatchable and is reported', () => {
    const warnings: string[] = []
    const bad = R({ name: 'bad', paths: ['~/a(', '~/ok'] })
    const r = buildRouter([bad, R({ name: 'other', paths: ['/a'] })], { onWarning: (m) => warnings.push(m) })
    expect(warnings.length).toBe(1)
    expect(warnings[0]).toContain(bad.id)
    expect(r.match(req({ path: '/a(' }))?.route.name).toBe('other')
    expect(r.match(req({ path: '/ok' }))?.route.name).toBe('bad')
  })
})

describe('headers', () => {
  it('name lookup is case-insensitive, values compared lower-cased; missing header fails', () => {
    const rs = [R({ name: 'h', headers: { 'X-Version': ['V1', 'v2'] } })]
    expect(win(rs, { headers: { 'x-version': 'v1' } })).toBe('h')
    expect(win(rs, { headers: { 'x-version': 'V2' } })).toBe('h')
    expect(win(rs, { headers: { 'x-version': 'v3' } })).toBeNull()
    expect(win(rs, {})).toBeNull()
  })
  it('several names AND, several values OR, any of several request values', () => {
    const rs = [R({ name: 'h', headers: { a: ['1', '2'], b: ['x'] } })]
    expect(win(rs, { headers: { a: '2', b: 'X' } })).toBe('h')
    expect(win(rs, { headers: { a: '2' } })).toBeNull()
    expect(win(rs, { headers: { a: ['9', '1'], b: 'x' } })).toBe('h')
  })
  it('~* values are unanchored regexes over the lower-cased value', () => {
    const rs = [R({ name: 'h', headers: { 'x-agent': ['~*mobile'] } })]
    expect(win(rs, { headers: { 'x-agent': 'Foo MOBILE bar' } })).toBe('h')
    expect(win(rs, { headers: { 'x-agent': 'desktop' } })).toBeNull()
  })
  it('[quirk] the regex text is lower-cased too: ~*^\\D+$ becomes ^\\d+$', () => {
    const rs = [R({ name: 'h', headers: { 'x-id': ['~*^\\D+$'] } })]
    expect(win(rs, { headers: { 'x-id': '123' } })).toBe('h')
    expect(win(rs, { headers: { 'x-id': 'abc' } })).toBeNull()
  })
  it('"-" and "_" in header names are interchangeable', () => {
    const rs = [R({ name: 'h', headers: { x_api_version: ['1'] } })]
    expect(win(rs, { headers: { 'x-api-version': '1' } })).toBe('h')
    expect(win(rs, { headers: { x_api_version: '1' } })).toBe('h')
  })
})

describe('snis and protocols', () => {
  it('snis are ignored for plain HTTP and checked (with wildcards, trailing dot ignored) for TLS', () => {
    const rs = [R({ name: 's', snis: ['a.test.', '*.w.test'], paths: ['/'] })]
    expect(win(rs, {})).toBe('s')
    expect(win(rs, { sni: 'a.test' })).toBe('s')
    expect(win(rs, { sni: 'x.w.test' })).toBe('s')
    expect(win(rs, { sni: 'b.test' })).toBeNull()
    expect(win(rs, { sni: '' })).toBeNull()
  })
  it('protocols do not take part in HTTP matching; stream-only routes are left out', () => {
    const rs = [R({ name: 'tls', protocols: ['tls'], snis: ['a.test'] }), R({ name: 'https', protocols: ['https'], paths: ['/'] })]
    const r = buildRouter(rs)
    expect(r.size).toBe(1)
    expect(r.match(req({ sni: 'a.test' }))?.route.name).toBe('https')
  })
  it('no route: null', () => {
    expect(win([R({ paths: ['/a'] })], { path: '/b' })).toBeNull()
    expect(buildRouter([]).match(req())).toBeNull()
  })
})

describe('which route wins (spec §4.4, true under both intent and Kong 3.9)', () => {
  it('more attributes win when plain-host/regex flags are equal', () => {
    const rs = [R({ name: 'more', hosts: ['a.test'], methods: ['POST'] }), R({ name: 'less', hosts: ['a.test'] })]
    expect(win(rs, { host: 'a.test', method: 'POST' })).toBe('more')
    expect(win(rs, { host: 'a.test', method: 'GET' })).toBe('less')
  })
  it('a plain-host route beats wildcard-host and host-less routes at equal attribute count', () => {
    const rs = [R({ name: 'plain', hosts: ['a.test'] }), R({ name: 'wild', hosts: ['*.test'] }), R({ name: 'long', paths: ['/very/long'] })]
    expect(win(rs, { host: 'a.test', path: '/very/long/x' })).toBe('plain')
    expect(win(rs, { host: 'b.test', path: '/very/long/x' })).toBe('long')
    expect(win(rs, { host: 'b.test', path: '/' })).toBe('wild')
  })
  it('more header names win next', () => {
    const rs = [
      R({ name: 'two', headers: { a: ['1'], b: ['1'] } }),
      R({ name: 'one', headers: { a: ['1'] } }),
      R({ name: 'long', paths: ['/very/long'] }),
    ]
    expect(win(rs, { path: '/very/long', headers: { a: '1' } })).toBe('one')
    expect(win(rs, { path: '/very/long', headers: { a: '1', b: '1' } })).toBe('two')
    expect(win(rs, { path: '/very/long' })).toBe('long')
  })
  it('any regex path beats any prefix path at equal attribute count', () => {
    const rs = [R({ name: 're', paths: ['~/version/\\d+'] }), R({ name: 'v', paths: ['/version'] }), R({ name: 'v1x', paths: ['/version/1/x'] })]
    expect(win(rs, { path: '/version/1' })).toBe('re')
    expect(win(rs, { path: '/version/1/x' })).toBe('re')
    expect(win(rs, { path: '/version/x' })).toBe('v')
  })
  it('higher regex_priority wins among regex paths; longer prefix among prefix paths', () => {
    const rs = [
      R({ name: 'hi', paths: ['~/r'], regex_priority: 5 }),
      R({ name: 'lo', paths: ['~/r/s'], regex_priority: 1 }),
      R({ name: 'pq', paths: ['/p/q'] }),
      R({ name: 'p', paths: ['/p'] }),
    ]
    expect(win(rs, { path: '/r/s/t' })).toBe('hi')
    expect(win(rs, { path: '/p/q/r' })).toBe('pq')
    expect(win(rs, { path: '/p/x' })).toBe('p')
  })
  it('a catch-all "/" is the fallback at the same attribute count', () => {
    const rs = [R({ name: 'api', paths: ['/api'] }), R({ name: 'all', paths: ['/'] })]
    expect(win(rs, { path: '/api/x' })).toBe('api')
    expect(win(rs, { path: '/other' })).toBe('all')
  })
  it('[quirk] hosts: [] counts as plain-hosts-only for P (but not as an attribute)', () => {
    const rs = [R({ name: 'empty', hosts: [], paths: ['/a'] }), R({ name: 'abc', paths: ['/abc'] })]
    expect(win(rs, { path: '/abc/x', host: 'any.test' })).toBe('empty')
  })
  it('equal priority: the greater UUID wins, whatever created_at and input order say', () => {
    const older = R({ name: 'older', id: 'ffffffff-0000-4000-8000-000000000000', paths: ['/x'], created_at: 1 })
    const newer = R({ name: 'newer', id: '11111111-0000-4000-8000-000000000000', paths: ['/x'], created_at: 2 })
    expect(win([older, newer], { path: '/x' })).toBe('older')
    expect(win([newer, older], { path: '/x' })).toBe('older')
  })
  it('a route with mixed paths competes as one matcher per group', () => {
    const rs = [R({ name: 'mixed', paths: ['/a', '/abc/def'] }), R({ name: 'abc', paths: ['/abc'] })]
    expect(win(rs, { path: '/abc/def/x' })).toBe('mixed')
    expect(win(rs, { path: '/abc/x' })).toBe('abc')
    expect(win(rs, { path: '/ax' })).toBe('mixed')
    expect(splitPathGroups(['/a', '~/r1', '/bb', '/cc', '~/r2'])).toEqual([
      { regex: true, paths: ['~/r1', '~/r2'], length: 0 },
      { regex: false, paths: ['/a'], length: 2 },
      { regex: false, paths: ['/bb', '/cc'], length: 3 },
    ])
  })
  it('within one route the regex group outranks its prefix group', () => {
    const m = buildRouter([R({ paths: ['/a', '~/a/(\\d+)'] })]).match(req({ path: '/a/1/x' }))!
    expect(m.matchedPath).toBe('/a/1')
    expect(m.captures?.unnamed).toEqual(['1'])
  })
  it('routes in different host buckets compete by rank', () => {
    const rs = [R({ name: 'wild', hosts: ['*.test'], methods: ['GET'] }), R({ name: 'any', methods: ['GET'], paths: ['/'] })]
    // W equal (2); P equal (0); L: '/' is 1 > 0.
    expect(win(rs, { host: 'a.test' })).toBe('any')
  })
})

describe('documented intent where Kong 3.9 differs (spec §4.4 table, "doc" column)', () => {
  it('W counts before P and X', () => {
    const a1 = R({ name: 'A', hosts: ['api.test'] })
    const b1 = R({ name: 'B', hosts: ['*.test'], methods: ['GET'], paths: ['/x'] })
    expect(win([a1, b1], { host: 'api.test', path: '/x' })).toBe('B')
    const a2 = R({ name: 'A', paths: ['~/x'] })
    const b2 = R({ name: 'B', methods: ['GET'], paths: ['/x/y'] })
    expect(win([a2, b2], { path: '/x/y' })).toBe('B')
    const a3 = R({ name: 'A', paths: ['~/users/\\d+'] })
    const b3 = R({ name: 'B', hosts: ['*.a.test'], paths: ['/users'] })
    expect(win([a3, b3], { host: 'x.a.test', path: '/users/1' })).toBe('B')
    const a5 = R({ name: 'A', paths: ['~/x'], regex_priority: 2000 })
    const b5 = R({ name: 'B', hosts: ['*.t'], methods: ['GET'], paths: ['/x'] })
    expect(win([a5, b5], { host: 'h.t', path: '/x' })).toBe('B')
  })
  it('negative regex_priority ranks below a positive one', () => {
    const a = R({ name: 'A', paths: ['~/a'], regex_priority: 10 })
    const b = R({ name: 'B', paths: ['~/a/b'], regex_priority: -1 })
    expect(win([a, b], { path: '/a/b' })).toBe('A')
  })
  it('priorityKey orders like the tuple comparison', () => {
    const k = (p: Partial<RouteInput>, g: string[] | null) => priorityKey(computePriority(R(p), splitPathGroups(g)?.[0] ?? null))
    expect(k({ paths: ['~/a'], regex_priority: 10 }, ['~/a']) > k({ paths: ['~/a'], regex_priority: -1 }, ['~/a'])).toBe(true)
    expect(k({ hosts: ['a'], methods: ['GET'] }, null) > k({ hosts: ['a'] }, ['/very/long/path'])).toBe(false)
    expect(k({ methods: ['GET'] }, ['/x']) > k({ hosts: ['a'] }, null)).toBe(true)
  })
})
