// Bare undici reverse proxy: the benchmark yardstick for what one Node process can forward (not used by Postern).
import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Pool } from 'undici'

const [listenPort = '8001', upstream = 'http://127.0.0.1:9000'] = process.argv.slice(2)
const pool = new Pool(upstream, { keepAliveTimeout: 60_000 })
// Hop-by-hop headers, plus host (undici sets the upstream's) and expect (undici rejects it).
const HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'host', 'expect'])

function copyHeaders(h: IncomingHttpHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {}
  for (const k in h) {
    const v = h[k]
    if (v !== undefined && !HOP.has(k)) out[k] = v
  }
  return out
}

const server = createServer((req, res) => {
  const hasBody = req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined
  pool.stream(
    { method: req.method as 'GET', path: req.url ?? '/', headers: copyHeaders(req.headers), body: hasBody ? req : null },
    ({ statusCode, headers }) => {
      res.writeHead(statusCode, copyHeaders(headers))
      return res
    },
    (err) => {
      if (err === null) return
      if (res.headersSent) res.destroy()
      else res.writeHead(502).end()
    },
  )
})

// Exit normally on SIGTERM so that `node --cpu-prof` (BENCH_CPU_PROF) writes its profile.
process.on('SIGTERM', () => process.exit(0))

server.listen(Number(listenPort), () => {
  process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`)
})
