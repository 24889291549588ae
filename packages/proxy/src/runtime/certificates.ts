// Certificates by SNI for the TLS listeners (Kong's certificate.lua find_certificate): exact name, then a
// leftmost wildcard (`*.example.com`), then a rightmost one (`example.*`), then the `*` SNI, else the
// listener's default. Secure contexts are built once per certificate row and reused across rebuilds.
import { createSecureContext, type SecureContext } from 'node:tls'
import type { Entity } from '@postern/shared'

/** One context per stored certificate object: unchanged rows keep their identity across rebuilds. */
const contexts = new WeakMap<Entity, SecureContext | null>()

function contextFor(cert: Entity): SecureContext | null {
  let ctx = contexts.get(cert)
  if (ctx === undefined) {
    try {
      // cert_alt/key_alt: a second key type (RSA + ECDSA); OpenSSL picks by the client's signature algorithms
      const pems = cert.cert_alt ? [cert.cert, cert.cert_alt] : [cert.cert]
      const keys = cert.key_alt ? [cert.key, cert.key_alt] : [cert.key]
      ctx = createSecureContext({ cert: pems, key: keys })
    } catch {
      ctx = null // validated by the admin; a row that still fails to load is skipped, never fatal
    }
    contexts.set(cert, ctx)
  }
  return ctx
}

export class CertificateIndex {
  private exact = new Map<string, SecureContext>()
  /** `*.example.com` stored as `example.com`. */
  private leftWild = new Map<string, SecureContext>()
  /** `example.*` stored as `example`. */
  private rightWild = new Map<string, SecureContext>()
  private catchAll: SecureContext | undefined
  readonly size: number

  constructor(certificates: Map<string, Entity>, snis: Iterable<Entity>) {
    let n = 0
    for (const sni of snis) {
      const cert = certificates.get(sni.certificate?.id)
      const ctx = cert && contextFor(cert)
      if (!ctx) continue
      n++
      const name = String(sni.name).toLowerCase()
      if (name === '*') this.catchAll = ctx
      else if (name.startsWith('*.')) this.leftWild.set(name.slice(2), ctx)
      else if (name.endsWith('.*')) this.rightWild.set(name.slice(0, -2), ctx)
      else this.exact.set(name, ctx)
    }
    this.size = n
  }

  /** The context for a client's SNI, or undefined for the listener's default certificate. */
  lookup(servername: string): SecureContext | undefined {
    if (this.size === 0) return undefined
    const name = servername.toLowerCase().replace(/\.$/, '')
    const hit = this.exact.get(name)
    if (hit) return hit
    const dot = name.indexOf('.')
    if (dot > 0) {
      const left = this.leftWild.get(name.slice(dot + 1))
      if (left) return left
    }
    const last = name.lastIndexOf('.')
    if (last > 0) {
      const right = this.rightWild.get(name.slice(0, last))
      if (right) return right
    }
    return this.catchAll
  }
}

/** Client certificate and trust store for one service's upstream TLS (Kong's service TLS fields). */
export interface UpstreamTls {
  cert?: string
  key?: string
  ca?: string[]
  verifyDepth?: number
  /** Part of the pool key: which certificate and CA rows this was built from. */
  id: string
}

/** @param upstream the upstream the service's host names, if any: its client_certificate is presented when the
 * service has none (Kong's upstream_ssl.fallback_upstream_client_cert; the service's wins). */
export function upstreamTls(service: Entity, certificates: Map<string, Entity>, caCertificates: Map<string, Entity>, upstream?: Entity | null): UpstreamTls | undefined {
  const ref = service.client_certificate ?? upstream?.client_certificate
  const client = ref ? certificates.get(ref.id) : undefined
  const cas = ((service.ca_certificates as string[] | null) ?? []).map((id) => caCertificates.get(id)).filter((c): c is Entity => !!c)
  const depth = service.tls_verify_depth as number | null
  if (!client && !cas.length && depth === null) return undefined
  return {
    cert: client?.cert,
    key: client?.key,
    ca: cas.length ? cas.map((c) => c.cert as string) : undefined,
    verifyDepth: depth ?? undefined,
    id: `${client ? `${client.id}@${client.updated_at}` : ''}|${cas.map((c) => `${c.id}@${c.updated_at}`).join(',')}|${depth ?? ''}`,
  }
}
