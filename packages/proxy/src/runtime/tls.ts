// TLS material for `ssl` proxy listeners: KONG_SSL_CERT/KONG_SSL_CERT_KEY, or a self-signed certificate
// generated once into <prefix>/ssl (as Kong does at first start).
import { X509Certificate } from 'node:crypto'
import { execFileSync } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { restrictFiles, type Settings } from '@postern/shared'

export function loadTlsMaterial(settings: Settings): { cert: Buffer; key: Buffer } {
  if (settings.sslCert && settings.sslCertKey) {
    const cert = readFileSync(settings.sslCert)
    if (new X509Certificate(cert).publicKey.asymmetricKeyType !== 'rsa') {
      console.warn('postern: KONG_SSL_CERT is not an RSA certificate; RSA certificates chosen by SNI cannot replace it (OpenSSL keeps one certificate per key type)')
    }
    return { cert, key: readFileSync(settings.sslCertKey) }
  }
  if (settings.sslCert || settings.sslCertKey) throw new Error('KONG_SSL_CERT and KONG_SSL_CERT_KEY must be set together')
  const dir = join(settings.prefix, 'ssl')
  // RSA on purpose: OpenSSL keeps the default context's certificate of another key type beside the one an SNI
  // context brings, so an ECDSA default would shadow every RSA certificate chosen by SNI (an RSA default never does)
  const cert = join(dir, 'postern-default-rsa.crt')
  const key = join(dir, 'postern-default-rsa.key')
  if (!existsSync(cert) || !existsSync(key)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 })
    chmodSync(dir, 0o700)
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes',
      '-keyout', key, '-out', cert, '-days', '3650', '-subj', '/CN=localhost',
      '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
    ], { stdio: 'ignore' })
    restrictFiles(key, cert) // openssl writes them with the umask's mode
  }
  return { cert: readFileSync(cert), key: readFileSync(key) }
}
