// Role rules: reads, entity writes and the admin-only families.
import { describe, expect, it } from 'vitest'
import { requiredRole, roleAllows } from './roles.ts'

describe('requiredRole', () => {
  it.each([
    ['GET', '/services', 'read-only'],
    ['HEAD', '/routes/x', 'read-only'],
    ['POST', '/services', 'editor'],
    ['DELETE', '/consumers/bob/jwt/1', 'editor'],
    ['GET', '/admins', 'admin'],
    ['GET', '/audit/requests', 'admin'],
    ['PATCH', '/admins/alice', 'admin'],
    ['GET', '/administrators', 'read-only'],
  ])('%s %s needs %s', (method, path, role) => {
    expect(requiredRole(method, path)).toBe(role)
  })

  it('ranks roles read-only < editor < admin', () => {
    expect(roleAllows('admin', 'editor')).toBe(true)
    expect(roleAllows('editor', 'admin')).toBe(false)
    expect(roleAllows('read-only', 'read-only')).toBe(true)
    expect(roleAllows('read-only', 'editor')).toBe(false)
  })
})
