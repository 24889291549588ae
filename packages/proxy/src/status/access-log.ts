// The proxy access log (KONG_PROXY_ACCESS_LOG) in Kong's kong_log_format:
// $remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" kong_request_id: "$kong_request_id"
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs'
import { dirname, isAbsolute, join } from 'node:path'
import type { IncomingMessage, ServerResponse } from 'node:http'

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
const pad = (n: number) => String(n).padStart(2, '0')

/** nginx's $time_local in UTC: `06/Dec/2026:03:30:00 +0000`. */
function timeLocal(d: Date): string {
  return `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`
}

/** nginx escapes `"`, `\` and bytes outside printable ASCII as \xHH in variables. */
const esc = (v: string) => v.replace(/[\x00-\x1f"\\\x7f-\uffff]/g, (c) => (c.charCodeAt(0) > 0xff ? '?' : `\\x${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`))
const header = (req: IncomingMessage, name: string) => {
  const v = req.headers[name]
  return v === undefined ? '-' : esc(Array.isArray(v) ? v[0] : v)
}

export class AccessLog {
  private readonly out: WriteStream

  constructor(path: string, prefix: string) {
    const file = isAbsolute(path) ? path : join(prefix, path)
    if (!file.startsWith('/dev/')) mkdirSync(dirname(file), { recursive: true })
    this.out = createWriteStream(file, { flags: 'a' })
    this.out.on('error', () => undefined)
  }

  /** Write the line once the response is finished. */
  track(req: IncomingMessage, res: ServerResponse, requestId: string): void {
    const before = req.socket.bytesWritten
    res.once('finish', () => {
      const headerBytes = Buffer.byteLength((res as unknown as { _header?: string })._header ?? '')
      const body = Math.max(0, req.socket.bytesWritten - before - headerBytes)
      const request = esc(`${req.method} ${req.url} HTTP/${req.httpVersion}`)
      this.out.write(`${req.socket.remoteAddress ?? '-'} - - [${timeLocal(new Date())}] "${request}" ${res.statusCode} ${body} "${header(req, 'referer')}" "${header(req, 'user-agent')}" kong_request_id: "${requestId}"\n`)
    })
  }

  close(): void {
    this.out.end()
  }
}
