// The proxy status listener (KONG_STATUS_LISTEN): /status with the applied config version and hash,
// /status/ready for load balancers, /metrics in Prometheus text format.
import { createServer, type Server } from 'node:http'
import { PROMETHEUS_CONTENT_TYPE } from '@postern/shared'

export interface StatusSource {
  version(): number
  hash(): string
  connected(): boolean
  routes(): number
  /** Prometheus text of this proxy's registry. */
  metrics(): string | Promise<string>
  /** With KONG_NGINX_WORKER_PROCESSES > 1: each worker's applied configuration. */
  workers?(): unknown[]
}

export function startStatusServer(host: string, port: number, src: StatusSource): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0].replace(/\/$/, '')
    const json = (status: number, body: unknown) => {
      const text = JSON.stringify(body)
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) }).end(text)
    }
    if (path === '/status') {
      const mem = process.memoryUsage()
      return json(200, {
        configuration_version: src.version(),
        configuration_hash: src.hash(),
        control_plane_connected: src.connected(),
        routes: src.routes(),
        memory: { rss: mem.rss, heap_used: mem.heapUsed },
        ...(src.workers ? { workers: src.workers() } : {}),
      })
    }
    if (path === '/metrics') {
      void Promise.resolve(src.metrics()).then((text) => res.writeHead(200, { 'content-type': PROMETHEUS_CONTENT_TYPE, 'content-length': Buffer.byteLength(text) }).end(text))
      return
    }
    if (path === '/status/ready') {
      if (src.version() === 0 && src.routes() === 0) return json(503, { message: 'no configuration available (empty configuration present)' })
      return json(200, { message: 'ready' })
    }
    json(404, { message: 'Not found' })
  })
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => resolve({ server, port: (server.address() as any).port }))
  })
}
