// TLS entities (Kong's certificates.lua, snis.lua, ca_certificates.lua): server certificates chosen by SNI,
// their names, and CA certificates that services trust when verifying upstreams.
import { createHash, createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto'
import { defineEntity } from '../entity.ts'
import { t } from '../typedefs.ts'
import { checkHost } from './services.ts'

/** Kong's `validate_certificate`: OpenSSL must load it. */
export function checkCertificate(pem: string): string | null {
  try {
    new X509Certificate(pem)
    return null
  } catch (e) {
    return `invalid certificate: ${opensslReason(e)}`
  }
}

/** Kong's `validate_key`: a private key OpenSSL can load. */
export function checkKey(pem: string): string | null {
  try {
    createPrivateKey(pem)
    return null
  } catch (e) {
    return `invalid key: ${opensslReason(e)}`
  }
}

function opensslReason(e: unknown): string {
  const msg = String((e as Error)?.message ?? e)
  return msg.replace(/^error:[0-9A-F]+:/, '').toLowerCase() || 'could not load'
}

/** True when the certificate's public key is the key's public half (Kong compares the PEMs). */
function keyMatches(cert: string, key: string): boolean {
  try {
    const a = new X509Certificate(cert).publicKey.export({ type: 'spki', format: 'der' })
    const b = createPublicKey(createPrivateKey(key)).export({ type: 'spki', format: 'der' })
    return a.equals(b)
  } catch {
    return false
  }
}

const keyType = (cert: string) => new X509Certificate(cert).publicKey.asymmetricKeyType

/** Kong's `wildcard_host`: one `*` as the leftmost or rightmost character, a name (not an IP), no port. */
export function checkWildcardHost(host: string): string | null {
  const idx = host.indexOf('*')
  let mock = host
  if (idx >= 0) {
    if (idx !== 0 && idx !== host.length - 1) return 'wildcard must be leftmost or rightmost character'
    if (host.indexOf('*', idx + 1) >= 0) return 'only one wildcard must be specified'
    mock = host.replace('*', 'wildcard')
  }
  if (/^\d{1,3}(\.\d{1,3}){3}(:\d+)?$/.test(mock) || mock.startsWith('[') || (mock.includes(':') && mock.split(':').length > 2)) return 'must not be an IP'
  if (/:\d*$/.test(mock)) return 'must not have a port'
  const err = checkHost(mock)
  return err ? `invalid value: ${mock}` : null
}

export const certificates = defineEntity({
  name: 'certificates',
  // `/certificates/{sni name}` means the certificate that SNI belongs to
  keyVia: { entity: 'snis', field: 'certificate' },
  fields: {
    id: t.uuid(),
    created_at: t.autoTimestamp(),
    updated_at: t.autoTimestamp(),
    cert: t.string({ required: true, check: checkCertificate }),
    key: t.string({ required: true, check: checkKey }),
    cert_alt: t.string({ check: checkCertificate }),
    key_alt: t.string({ check: checkKey }),
    tags: t.tags(),
  },
  checks: [
    (c) => ((c.cert_alt === null) !== (c.key_alt === null) ? "all or none of these fields must be set: 'cert_alt', 'key_alt'" : null),
    (c) => (keyMatches(c.cert, c.key) ? null : 'certificate does not match key'),
    (c) => (c.cert_alt && c.key_alt && !keyMatches(c.cert_alt, c.key_alt) ? 'alternative certificate does not match key' : null),
    (c) =>
      c.cert_alt && keyType(c.cert) === keyType(c.cert_alt)
        ? 'certificate and alternative certificate need to have different type (e.g. RSA and ECDSA), the provided certificates were both of the same type'
        : null,
  ],
})

export const snis = defineEntity({
  name: 'snis',
  endpointKey: 'name',
  fields: {
    id: t.uuid(),
    name: t.string({ required: true, unique: true, check: checkWildcardHost }),
    created_at: t.autoTimestamp(),
    updated_at: t.autoTimestamp(),
    tags: t.tags(),
    // Kong deletes a certificate's SNIs with it (certificates DAO delete override)
    certificate: t.foreign('certificates', { required: true, onDelete: 'cascade' }),
  },
})

const CERT_TAG = '-----BEGIN CERTIFICATE-----'

/** sha256 of the DER, hex: Kong's `cert_digest` transformation. */
export function certDigest(pem: string): string {
  return createHash('sha256').update(new X509Certificate(pem).raw).digest('hex')
}

export const caCertificates = defineEntity({
  name: 'ca_certificates',
  fields: {
    id: t.uuid(),
    created_at: t.autoTimestamp(),
    updated_at: t.autoTimestamp(),
    cert: t.string({ required: true, check: checkCertificate }),
    cert_digest: t.string({ unique: true }),
    tags: t.tags(),
  },
  prepare: (src) => {
    // Kong's on_write transformation: the digest always follows the certificate
    if (typeof src.cert === 'string') {
      try {
        src.cert_digest = certDigest(src.cert)
      } catch {
        // the cert field's own check reports it
      }
    }
  },
  checks: [
    (c) => {
      const first = c.cert.indexOf(CERT_TAG)
      if (first >= 0 && c.cert.indexOf(CERT_TAG, first + CERT_TAG.length + 1) >= 0) return 'please submit only one certificate at a time'
      const x = new X509Certificate(c.cert)
      if (Date.parse(x.validTo) < Date.now()) return 'certificate expired, "Not After" time is in the past'
      if (!x.ca) return 'certificate does not appear to be a CA because it is missing the "CA" basic constraint'
      return null
    },
  ],
})
