// CertificateIndex: Kong's lookup order by SNI (exact, leftmost wildcard, rightmost wildcard, `*`).
import { describe, expect, it } from 'vitest'
import { CertificateIndex } from './certificates.ts'
import { makeCert } from '../../../../test/fixtures/pki.ts'

const pem = makeCert(['idx.test'])
const cert = (id: string) => ({ id, cert: pem.cert, key: pem.key, cert_alt: null, key_alt: null })
const certs = new Map(['exact', 'left', 'right', 'any'].map((id) => [id, cert(id)] as [string, any]))
const sni = (name: string, id: string) => ({ id: name, name, certificate: { id } }) as any

describe('CertificateIndex', () => {
  const idx = new CertificateIndex(certs, [sni('a.test', 'exact'), sni('*.w.test', 'left'), sni('r.*', 'right'), sni('*', 'any'), sni('orphan.test', 'missing')])
  const which = (name: string) => {
    const ctx = idx.lookup(name)
    return [...certs.keys()].find((id) => idx.lookup(id === 'exact' ? 'a.test' : id === 'left' ? 'x.w.test' : id === 'right' ? 'r.x' : 'zzz') === ctx)
  }

  it('prefers the exact name, case-insensitively and without a trailing dot', () => {
    expect(which('a.test')).toBe('exact')
    expect(which('A.TEST.')).toBe('exact')
  })
  it('then a leftmost wildcard covering one label, then a rightmost one, then `*`', () => {
    expect(which('x.w.test')).toBe('left')
    expect(which('r.anything')).toBe('right')
    expect(which('y.x.w.test')).toBe('any')
    expect(which('nothing.test')).toBe('any')
  })
  it('skips SNIs whose certificate is missing and answers nothing when empty', () => {
    expect(idx.size).toBe(4)
    expect(new CertificateIndex(new Map(), []).lookup('a.test')).toBeUndefined()
  })
})
