// scrypt password hashes and the per-instance verified cache that keeps scrypt off the hot path.
import { describe, expect, it } from 'vitest'
import { hashPassword, isPasswordHash, verifyPassword } from './password.ts'
import { VerifiedPasswords } from './verified.ts'

describe('password hashes', () => {
  const stored = hashPassword('s3cret ')

  it('stores a salted scrypt hash in PHC form, different for the same password', () => {
    expect(stored).toMatch(/^\$scrypt\$ln=14,r=8,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/)
    expect(isPasswordHash(stored)).toBe(true)
    expect(hashPassword('s3cret ')).not.toBe(stored)
    expect(isPasswordHash('s3cret')).toBe(false)
  })

  it('verifies the exact password only (whitespace counts)', async () => {
    expect(await verifyPassword('s3cret ', stored)).toBe(true)
    expect(await verifyPassword('s3cret', stored)).toBe(false)
  })

  it('never verifies against a malformed or absurdly expensive hash', async () => {
    expect(await verifyPassword('x', 'plain')).toBe(false)
    expect(await verifyPassword('x', stored.replace('ln=14', 'ln=40'))).toBe(false)
  })
})

describe('VerifiedPasswords', () => {
  const header = (pw: string) => `Basic ${Buffer.from(`bob:${pw}`).toString('base64')}`

  it('runs the verification once per key, sharing it between concurrent checks', async () => {
    const cache = new VerifiedPasswords()
    let runs = 0
    const verify = async () => (runs++, true)
    const key = VerifiedPasswords.keyOf(header('pw'))
    expect(cache.get(key)).toBeUndefined()
    const [a, b] = await Promise.all([cache.check(key, 'bob', '$hash', verify), cache.check(key, 'bob', '$hash', verify)])
    expect([a, b, runs]).toEqual([true, true, 1])
    expect(cache.get(key)).toEqual({ username: 'bob', stored: '$hash', ok: true })
  })

  it('keys by the header value without containing it or the password', () => {
    const k = VerifiedPasswords.keyOf(header('hunter2'))
    expect(k).not.toContain('hunter2')
    expect(k).not.toContain(header('hunter2').slice(6))
    expect(k).toBe(VerifiedPasswords.keyOf(header('hunter2')))
    expect(k).not.toBe(VerifiedPasswords.keyOf(header('hunter3')))
  })

  it('remembers failures too and stays bounded', async () => {
    const cache = new VerifiedPasswords(2)
    for (const pw of ['a', 'b', 'c']) await cache.check(VerifiedPasswords.keyOf(header(pw)), 'bob', '$h', async () => false)
    expect(cache.size).toBe(2)
    expect(cache.get(VerifiedPasswords.keyOf(header('c')))?.ok).toBe(false)
    expect(cache.get(VerifiedPasswords.keyOf(header('a')))).toBeUndefined()
  })
})
