// Health reports from the proxies' balancers, kept per node and merged for GET /upstreams/{u}/health.
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { HealthReport, TargetHealth } from '@postern/shared'

/** A report larger than this is refused: a proxy's view of every upstream fits well below it. */
const MAX_REPORT_BYTES = 4 * 1024 * 1024

export class HealthReports {
  private byNode = new Map<string, HealthReport['upstreams']>()

  constructor(private connected: (nodeId: string) => boolean) {}

  receive(req: IncomingMessage, res: ServerResponse): void {
    let body = ''
    let size = 0
    req.setEncoding('utf8')
    req.on('data', (d: string) => {
      size += d.length
      if (size > MAX_REPORT_BYTES) {
        res.writeHead(413).end()
        req.destroy()
      } else body += d
    })
    req.on('end', () => {
      try {
        const r = JSON.parse(body) as HealthReport
        if (typeof r.node_id !== 'string' || typeof r.upstreams !== 'object' || r.upstreams === null) throw new Error('bad report')
        this.byNode.set(r.node_id, r.upstreams)
        res.writeHead(204).end()
      } catch {
        res.writeHead(400).end()
      }
    })
  }

  /**
   * What the connected proxies see of one upstream, target by target. An address is UNHEALTHY when any
   * proxy sees it so (it gets no traffic from that proxy), HEALTHY when all that report it see it healthy.
   */
  upstream(id: string): Map<string, TargetHealth> {
    const out = new Map<string, TargetHealth>()
    for (const [node, ups] of this.byNode) {
      if (!this.connected(node)) continue
      const targets = ups[id]
      if (!targets) continue
      for (const [target, th] of Object.entries(targets)) {
        const cur = out.get(target)
        if (!cur) {
          out.set(target, { dns: th.dns, addresses: th.addresses.map((a) => ({ ...a })) })
          continue
        }
        if (th.dns !== 'OK') cur.dns = th.dns
        for (const a of th.addresses) {
          const same = cur.addresses.find((x) => x.ip === a.ip && x.port === a.port)
          if (!same) cur.addresses.push({ ...a })
          else if (a.health === 'UNHEALTHY') same.health = 'UNHEALTHY'
        }
      }
    }
    return out
  }
}
