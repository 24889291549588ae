// Keep-alive connection pools to upstreams, one undici Pool per (origin, timeouts, TLS policy).
import { Pool } from './undici.ts'
import { checkServerIdentity, type PeerCertificate } from 'node:tls'
import type { UpstreamTls } from '../runtime/certificates.ts'
import { preciseConnector } from './timers.ts'

export interface UpstreamTarget {
  protocol: 'http' | 'https'
  host: string
  port: number
  connectTimeout: number
  writeTimeout: number
  readTimeout: number
  retries: number
  /** Kong's service `tls_verify`; null/undefined = Kong's global default, which is *off*. */
  tlsVerify?: boolean | null
  /** The service's client certificate (mTLS), trusted CA certificates and verify depth. */
  tls?: UpstreamTls
  /** TLS server name when `host` is an address the balancer resolved from a name. */
  servername?: string
}

export interface UpstreamPoolsOptions {
  /** Max sockets per pool; undefined = unlimited, like nginx (idle ones are reaped by keepAliveTimeout). */
  connections?: number
  /** Idle keep-alive time in ms when the upstream sends no `Keep-Alive: timeout=` hint (Kong: 60 s). */
  keepAliveTimeout?: number
}

const DEFAULT_KEEPALIVE_MS = 60_000

export class UpstreamPools {
  readonly #connections: number | undefined
  readonly #keepAliveTimeout: number
  readonly #byKey = new Map<string, Pool>()
  // Targets usually come from a cached service object, so an identity lookup avoids building the string key
  // on the hot path. Weak so that replaced service configs do not pin entries.
  #byTarget = new WeakMap<UpstreamTarget, Pool>()
  #closed = false

  constructor(opts: UpstreamPoolsOptions = {}) {
    this.#connections = opts.connections
    this.#keepAliveTimeout = opts.keepAliveTimeout ?? DEFAULT_KEEPALIVE_MS
  }

  get(t: UpstreamTarget): Pool {
    const cached = this.#byTarget.get(t)
    if (cached !== undefined) return cached
    if (this.#closed) throw new Error('UpstreamPools is closed')
    const key = poolKey(t)
    let pool = this.#byKey.get(key)
    if (pool === undefined) {
      pool = this.#create(t)
      this.#byKey.set(key, pool)
    }
    this.#byTarget.set(t, pool)
    return pool
  }

  /** Number of distinct pools (for metrics and tests). */
  get size(): number {
    return this.#byKey.size
  }

  async close(): Promise<void> {
    this.#closed = true
    const pools = [...this.#byKey.values()]
    this.#byKey.clear()
    this.#byTarget = new WeakMap()
    await Promise.all(pools.map((p) => p.close().catch(() => p.destroy())))
  }

  #create(t: UpstreamTarget): Pool {
    const host = t.host.includes(':') && !t.host.startsWith('[') ? `[${t.host}]` : t.host
    const origin = `${t.protocol}://${host}:${t.port}`
    return new Pool(origin, {
      connections: this.#connections ?? null,
      pipelining: 1, // nginx never pipelines upstream; a slow response must not block others
      keepAliveTimeout: this.#keepAliveTimeout,
      keepAliveMaxTimeout: Math.max(this.#keepAliveTimeout, 600_000),
      // Kong's timeouts are per attempt, read_timeout "between two successive reads". undici's timers tick at
      // 1 s resolution, so they are off here and the Forwarder and the connector keep native ones (timers.ts).
      headersTimeout: 0,
      bodyTimeout: 0,
      // Kong does not verify upstream certificates unless tls_verify is set.
      connect: preciseConnector(t.connectTimeout, {
        rejectUnauthorized: t.tlsVerify === true,
        ...tlsOptions(t.tls),
        ...(t.servername !== undefined && t.protocol === 'https' ? { servername: t.servername } : {}),
      }),
    })
  }
}

function poolKey(t: UpstreamTarget): string {
  return `${t.protocol}://${t.host}:${t.port}|${t.connectTimeout}|${t.readTimeout}|${t.writeTimeout}|${t.tlsVerify === true ? 1 : 0}|${t.tls?.id ?? ''}|${t.servername ?? ''}`
}

/** Connect options for a service's TLS fields; `ca` replaces the default roots, as Kong's per-service trust store. */
function tlsOptions(tls: UpstreamTls | undefined): Record<string, unknown> {
  if (!tls) return {}
  const out: Record<string, unknown> = {}
  if (tls.cert && tls.key) Object.assign(out, { cert: tls.cert, key: tls.key })
  if (tls.ca) out.ca = tls.ca
  if (tls.verifyDepth !== undefined) {
    const max = tls.verifyDepth
    // OpenSSL's verify depth: intermediates allowed between the leaf and the trust anchor
    out.checkServerIdentity = (host: string, cert: PeerCertificate) => {
      let depth = 0
      for (let c = cert as any; c.issuerCertificate && c.issuerCertificate !== c; c = c.issuerCertificate) depth++
      if (depth > max) return new Error(`certificate chain too long (depth ${depth} > ${max})`)
      return checkServerIdentity(host, cert)
    }
  }
  return out
}
