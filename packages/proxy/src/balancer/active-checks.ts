// Active health checks (lua-resty-healthcheck's active side): each proxy probes its addresses on the healthy
// and unhealthy intervals, off the request path, at most `concurrency` probes at a time. With workers only
// the primary's registry runs them, so a node probes once per interval whatever its worker count.
import { request as httpRequest } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { connect } from 'node:net'
import { reportFailure, reportStatus, type Failure } from './health.ts'
import type { Address, UpstreamBalancer } from './balancer.ts'

type Outcome = { status: number } | { failure: Failure } | { connected: true }

export class ActiveChecker {
  private timers: NodeJS.Timeout[] = []
  private stopped = false

  /** @param clientCert the upstream's client_certificate, presented by https probes (Kong's ssl_cert/ssl_key). */
  constructor(private bal: UpstreamBalancer, private clientCert?: { cert: string; key: string }) {
    const a = bal.checks.active
    // Kong's create_healthchecker: the http subsystem runs no active checks of type tcp
    if (a.type === 'tcp') return
    if (a.healthy.interval > 0) this.every(a.healthy.interval, true)
    if (a.unhealthy.interval > 0) this.every(a.unhealthy.interval, false)
  }

  private every(seconds: number, healthy: boolean): void {
    let running = false
    const tick = async () => {
      if (running || this.stopped) return
      running = true
      try {
        const due = this.bal.peers.filter((p) => p.weight > 0 && p.health.healthy === healthy)
        await this.probeAll(due)
      } finally {
        running = false
      }
    }
    const t = setInterval(tick, seconds * 1000)
    t.unref()
    this.timers.push(t)
  }

  private async probeAll(peers: Address[]): Promise<void> {
    const queue = [...peers]
    const workers = Array.from({ length: Math.min(this.bal.checks.active.concurrency, queue.length) }, async () => {
      for (let p = queue.shift(); p !== undefined && !this.stopped; p = queue.shift()) {
        const outcome = await this.probe(p)
        if (this.stopped) return
        const active = this.bal.checks.active
        if ('connected' in outcome) p.health.success(active.healthy.successes)
        else if ('status' in outcome) reportStatus(p.health, active, outcome.status)
        else reportFailure(p.health, active, outcome.failure)
      }
    })
    await Promise.all(workers)
  }

  /** One probe: a TCP connect, or an HTTP(S) GET of `http_path` whose status is judged by the lists. */
  probe(p: Address): Promise<Outcome> {
    const a = this.bal.checks.active
    const timeout = a.timeout * 1000
    return new Promise((resolve) => {
      let done = false
      const finish = (o: Outcome) => {
        if (!done) {
          done = true
          resolve(o)
        }
      }
      if (a.type === 'tcp') {
        const s = connect({ host: p.ip, port: p.port, timeout })
        s.on('connect', () => (s.destroy(), finish({ connected: true })))
        s.on('timeout', () => (s.destroy(), finish({ failure: 'timeout' })))
        s.on('error', () => finish({ failure: 'tcp' }))
        return
      }
      const https = a.type === 'https' || a.type === 'grpcs'
      const host = this.bal.upstream.host_header ?? p.target.host
      const headers: Record<string, string | string[]> = { host, 'user-agent': 'postern-healthcheck', ...(a.headers ?? {}) }
      const req = (https ? httpsRequest : httpRequest)({
        host: p.ip,
        port: p.port,
        method: 'GET',
        path: a.http_path,
        headers,
        timeout,
        agent: false,
        servername: a.https_sni ?? p.target.host,
        rejectUnauthorized: a.https_verify_certificate,
        ...(https && this.clientCert ? { cert: this.clientCert.cert, key: this.clientCert.key } : {}),
      } as any)
      req.on('response', (res) => {
        res.resume()
        finish({ status: res.statusCode ?? 0 })
      })
      req.on('timeout', () => {
        req.destroy()
        finish({ failure: 'timeout' })
      })
      req.on('error', () => finish({ failure: 'tcp' }))
      req.end()
    })
  }

  stop(): void {
    this.stopped = true
    for (const t of this.timers) clearInterval(t)
  }
}
