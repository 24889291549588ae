// Tests for strip_path / path_handling: every vector of spec §4.5 (Kong's shared fixture table), v0 and v1.

import { describe, expect, it } from 'vitest'
import { normalizePath } from '@postern/shared/path.ts'
import { buildRouter } from './router.ts'
import type { RouteInput } from './types.ts'
import { sanitizePostfix, strippedPrefix, upstreamPath } from './upstream-path.ts'

function route(paths: string[] | null, strip: boolean, ph: 'v0' | 'v1' = 'v0'): RouteInput {
  return {
    id: '00000000-0000-4000-8000-000000000001',
    hosts: paths ? null : ['h.test'],
    paths,
    methods: null,
    headers: null,
    snis: null,
    protocols: ['http', 'https'],
    regex_priority: 0,
    strip_path: strip,
    path_handling: ph,
    preserve_host: false,
    created_at: 0,
  }
}

/** Route the request through a real router, then compute the upstream path. */
function up(svc: string | null, paths: string[] | null, strip: boolean, rawReq: string, ph: 'v0' | 'v1'): string {
  const req = normalizePath(rawReq)
  const r = buildRouter([route(paths, strip, ph)])
  const m = r.match({ method: 'GET', host: 'h.test', port: 8000, path: req, headers: {} })
  if (!m) throw new Error(`no match for ${rawReq}`)
  return upstreamPath(svc, m, req, { honourPathHandling: true })
}

// [service path, route path (null = host match), strip ('any' = both), request, v0, v1]
type Vec = [string | null, string | null, boolean | 'any', string, string, string]
const S = '*'
const VECTORS: Vec[] = [
  ['/', '/', 'any', '/route/req', '/route/req', S],
  ['/', '/route', true, '/route', '/', S],
  ['/', '/route', true, '/route/', '/', S],
  ['/', '/route', true, '/routereq', '/req', S],
  ['/', '/route', false, '/routereq', '/routereq', S],
  ['/srv', '/rou', false, '/roureq', '/srv/roureq', '/srvroureq'],
  ['/srv', '/rou', true, '/roureq', '/srv/req', '/srvreq'],
  ['/srv/', '/rou', true, '/rou', '/srv', '/srv/'],
  ['/service', '/', 'any', '/', '/service', S],
  ['/service', '/', 'any', '/route/', '/service/route/', '/serviceroute/'],
  ['/service', '/route', true, '/route', '/service', S],
  ['/service', '/route', true, '/route/', '/service/', S],
  ['/service', '/route', false, '/route', '/service/route', '/serviceroute'],
  ['/service', '/route/', true, '/route/', '/service/', '/service'],
  ['/service/', '/', 'any', '/', '/service/', S],
  ['/service/', '/route', true, '/route', '/service', '/service/'],
  ['/service/', '/route', true, '/routereq', '/service/req', S],
  ['/service/', '/route/', false, '/route/req', '/service/route/req', S],
  ['/service', null, 'any', '/route', '/service/route', '/serviceroute'],
  ['/service', '/route', true, '/route./req', '/service/req', '/servicereq'],
  ['/service', '/route', true, '/route%2E/req', '/service/req', '/servicereq'],
  ['/service', '/route', false, '/route%2e%2E/req', '/service/route../req', '/serviceroute../req'],
]

describe('upstreamPath: spec §4.5 vectors', () => {
  for (const [svc, rp, strip, req, v0, v1raw] of VECTORS) {
    const v1 = v1raw === S ? v0 : v1raw
    for (const s of strip === 'any' ? [true, false] : [strip]) {
      const name = `svc=${svc} route=${rp ?? '(host)'} strip=${s} ${req}`
      it(`v0 ${name} → ${v0}`, () => {
        expect(up(svc, rp === null ? null : [rp], s, req, 'v0')).toBe(v0)
      })
      it(`v1 ${name} → ${v1}`, () => {
        expect(up(svc, rp === null ? null : [rp], s, req, 'v1')).toBe(v1)
      })
    }
  }
})

describe('upstreamPath: other rules', () => {
  it('null service path is "/"', () => {
    expect(up(null, ['/strip'], true, '/strip/a/b', 'v0')).toBe('/a/b')
    expect(up(null, ['/strip'], false, '/strip/a/b', 'v0')).toBe('/strip/a/b')
  })

  it('spec example: /strip/a/b on /strip → /base gives /base/a/b', () => {
    expect(up('/base', ['/strip'], true, '/strip/a/b', 'v0')).toBe('/base/a/b')
  })

  it('the default router ignores path_handling v1 unless asked to honour it', () => {
    const req = '/roureq'
    const m = buildRouter([route(['/rou'], true, 'v1')]).match({ method: 'GET', host: 'x', port: 80, path: req, headers: {} })!
    expect(upstreamPath('/srv', m, req)).toBe('/srv/req')
    expect(upstreamPath('/srv', m, req, { honourPathHandling: true })).toBe('/srvreq')
  })

  it('regex routes strip the whole regex match', () => {
    const r = route(['~/users/(?<id>\\d+)'], true)
    const req = '/users/42/profile'
    const m = buildRouter([r]).match({ method: 'GET', host: 'x', port: 80, path: req, headers: {} })!
    expect(m.matchedPath).toBe('/users/42')
    expect(upstreamPath('/svc', m, req)).toBe('/svc/profile')
    expect(strippedPrefix(m)).toBe('/users/42')
    expect(upstreamPath('/svc', { ...m, route: { ...r, strip_path: false } }, req)).toBe('/svc/users/42/profile')
  })

  it('sanitizes one leading ./ or ../ of the rest', () => {
    expect(sanitizePostfix('.')).toBe('')
    expect(sanitizePostfix('..')).toBe('')
    expect(sanitizePostfix('./a')).toBe('a')
    expect(sanitizePostfix('../a')).toBe('a')
    expect(sanitizePostfix('.../a')).toBe('.../a')
    expect(sanitizePostfix('/a')).toBe('/a')
  })
})

describe('strippedPrefix (X-Forwarded-Prefix)', () => {
  const m = (paths: string[] | null, strip: boolean, path: string) =>
    buildRouter([route(paths, strip)]).match({ method: 'GET', host: 'h.test', port: 80, path, headers: {} })!

  it('is the matched prefix when strip_path stripped it', () => {
    expect(strippedPrefix(m(['/strip'], true, '/strip/a'))).toBe('/strip')
    expect(strippedPrefix(m(['/strip'], true, '/stripped'))).toBe('/strip')
  })
  it('is null when strip_path is off, the prefix is "/", or no path matched', () => {
    expect(strippedPrefix(m(['/strip'], false, '/strip/a'))).toBeNull()
    expect(strippedPrefix(m(['/'], true, '/strip/a'))).toBeNull()
    expect(strippedPrefix(m(null, true, '/strip/a'))).toBeNull()
  })
})
