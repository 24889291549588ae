// Raw HTTP/1.x over node:net for tests that send what no HTTP client would (absolute-form, bad heads).
import { connect } from 'node:net'

export interface RawReply {
  status: number
  headers: Record<string, string>
  body: string
  /** Everything read until the server closed (or the deadline), for debugging. */
  raw: string
  /** The server closed the connection after this reply. */
  closed: boolean
}

/**
 * Writes `head` (and `body`) as is and reads one response. Resolves once a complete response (by
 * Content-Length) has arrived or the server closed the connection; fails after `timeoutMs`.
 */
export function rawRequest(port: number, head: string | Buffer, opts: { body?: string | Buffer; timeoutMs?: number } = {}): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const sock = connect(port, '127.0.0.1')
    let buf = Buffer.alloc(0)
    let done = false
    const timer = setTimeout(() => finish(new Error(`no complete response within ${opts.timeoutMs ?? 10_000} ms: ${JSON.stringify(buf.toString('latin1'))}`)), opts.timeoutMs ?? 10_000)
    const finish = (err: Error | null, closed = false) => {
      if (done) return
      done = true
      clearTimeout(timer)
      sock.destroy()
      if (err) return reject(err)
      const reply = parse(buf, closed)
      if (!reply) return reject(new Error(`no HTTP response: ${JSON.stringify(buf.toString('latin1'))}`))
      resolve(reply)
    }
    sock.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d])
      const r = parse(buf, false)
      if (r && r.complete) {
        // give the server a moment to close, so `closed` can be asserted
        setTimeout(() => finish(null, sock.readableEnded || sock.destroyed), 50)
      }
    })
    sock.on('end', () => finish(null, true))
    sock.on('close', () => finish(null, true))
    sock.on('error', (e: NodeJS.ErrnoException) => {
      // the server may reset after answering an oversized head it did not read in full
      if (buf.length > 0) finish(null, true)
      else finish(e)
    })
    sock.write(head)
    if (opts.body !== undefined) sock.write(opts.body)
  })
}

function parse(buf: Buffer, closed: boolean): (RawReply & { complete: boolean }) | null {
  const text = buf.toString('latin1')
  const end = text.indexOf('\r\n\r\n')
  if (end < 0) return null
  const lines = text.slice(0, end).split('\r\n')
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0])
  if (!m) return null
  const headers: Record<string, string> = {}
  for (const l of lines.slice(1)) {
    const c = l.indexOf(':')
    headers[l.slice(0, c).trim().toLowerCase()] = l.slice(c + 1).trim()
  }
  const body = text.slice(end + 4)
  const len = headers['content-length'] !== undefined ? Number(headers['content-length']) : NaN
  const complete = Number.isFinite(len) ? Buffer.byteLength(body, 'latin1') >= len : false
  return { status: Number(m[1]), headers, body: Number.isFinite(len) ? body.slice(0, len) : body, raw: text, closed, complete }
}
