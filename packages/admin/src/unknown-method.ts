// Methods node's HTTP parser does not know (`FOO /services`) never reach Hono: llhttp rejects them as
// HPE_INVALID_METHOD. Kong answers them like any method an endpoint does not take (405 with Allow), so the
// request line is replayed through the app and its answer written, with the connection then closed.
import type { Server } from 'node:http'
import type { Socket } from 'node:net'
import { STATUS_CODES } from 'node:http'

type Fetch = (req: Request) => Response | Promise<Response>

// RFC 9110 token for the method; the target must be origin-form
const REQUEST_LINE = /^([!#$%&'*+.^_`|~0-9A-Za-z-]{1,32}) (\/[^\s]{0,8191}) HTTP\/1\.[01]\r?\n/

const BAD_REQUEST = 'HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n'

/** Answer unknown-method requests through `fetch`; every other client error keeps node's 400. */
export function answerUnknownMethods(server: Server, fetch: Fetch): void {
  // node keeps feeding later data (the rest of a body) to the failed parser and reports each chunk again
  const answered = new WeakSet<Socket>()
  server.on('clientError', (err: NodeJS.ErrnoException & { rawPacket?: Buffer }, socket: Socket) => {
    if (answered.has(socket)) return
    answered.add(socket)
    if (!socket.writable) return socket.destroy()
    const m = err.code === 'HPE_INVALID_METHOD' && err.rawPacket ? err.rawPacket.toString('latin1', 0, 8300).match(REQUEST_LINE) : null
    if (!m) {
      socket.end(BAD_REQUEST)
      return
    }
    Promise.resolve()
      .then(() => fetch(new Request(`http://admin${m[2]}`, { method: m[1] })))
      .then(async (res) => {
        const body = Buffer.from(await res.arrayBuffer())
        let head = `HTTP/1.1 ${res.status} ${STATUS_CODES[res.status] ?? ''}\r\n`
        res.headers.forEach((v, k) => {
          if (k !== 'content-length' && k !== 'connection' && k !== 'transfer-encoding') head += `${k}: ${v}\r\n`
        })
        head += `Content-Length: ${body.length}\r\nConnection: close\r\n\r\n`
        lingeringEnd(socket, Buffer.concat([Buffer.from(head, 'latin1'), body]))
      })
      .catch(() => lingeringEnd(socket, Buffer.from(BAD_REQUEST)))
  })
}

/** Answer and shut the write side, then read and discard what the client still sends (a request body) for
 * a bounded time before closing, so the client reads the answer instead of a reset (nginx's lingering close). */
function lingeringEnd(socket: Socket, data: Buffer): void {
  const timer = setTimeout(() => socket.destroy(), 2000)
  timer.unref()
  socket.on('data', () => {})
  socket.once('end', () => {
    clearTimeout(timer)
    socket.destroy()
  })
  socket.end(data)
  socket.resume()
}
