// 1.1/2.1 route paths in their 3.0 spelling (Kong's migrate_path_280_300).
import { describe, expect, it } from 'vitest'
import { migrateDocument, migratePath } from './migrate.ts'

describe('route path migration', () => {
  it('keeps plain paths, normalized', () => {
    expect(migratePath('/api')).toBe('/api')
    expect(migratePath('/a/./b/%7Euser')).toBe('/a/b/~user')
  })

  it('marks a path with regex characters as a regex', () => {
    expect(migratePath('/users/\\d+')).toBe('~/users/\\d+')
    expect(migratePath('/v1/(foo|bar)$')).toBe('~/v1/(foo|bar)$')
  })

  it('decodes a regex path one last time, escaping what would change its meaning', () => {
    expect(migratePath('/a%2Eb/(x)')).toBe('~/a\\.b/(x)')
    expect(migratePath('/a%2fb/(x)')).toBe('~/a%2Fb/(x)')
  })

  it('migrates top-level routes and routes nested in services, and only for 1.1 and 2.1', () => {
    const doc: Record<string, any> = { _format_version: '2.1', routes: [{ paths: ['/r/\\d'] }], services: [{ routes: [{ paths: ['/s/\\d', '/plain'] }] }] }
    migrateDocument(doc)
    expect(doc).toEqual({ _format_version: '3.0', routes: [{ paths: ['~/r/\\d'] }], services: [{ routes: [{ paths: ['~/s/\\d', '/plain'] }] }] })
    const three = { _format_version: '3.0', routes: [{ paths: ['/r/\\d'] }] }
    migrateDocument(three)
    expect(three.routes[0].paths).toEqual(['/r/\\d'])
  })
})
