// nginx's lingering close for an answer sent before the request body was read — the proxy's plugin exits (a
// 413 on Content-Length, a watcher stopping a chunked upload, a 401 ahead of a POST body) and the admin's 413
// over its body limit. When that answer is the connection's last (the client sent Connection: close, or the
// answer says so), node ends it with socket.destroySoon(), whose destroy resets the connection under a client
// still sending: the client gets EPIPE or ECONNRESET and loses the answer. Instead the write side is shut
// after the answer (our FIN) and the rest of the body is read and discarded until the client has sent it all
// (the socket then closes by itself), for a bounded time and size.
import type { IncomingMessage } from 'node:http'
import type { Socket } from 'node:net'

/** nginx's lingering_time; past it (or past LINGER_BYTES) the connection is dropped. */
const LINGER_MS = 5000
const LINGER_BYTES = 64 * 1024 * 1024

/** Whether the request still has body bytes on the wire (cheap: headers only, no timer). */
export function bodyUnread(req: IncomingMessage): boolean {
  if (req.complete || req.httpVersionMajor === 2) return false // HTTP/2 resets only its stream
  const h = req.headers
  return h['transfer-encoding'] !== undefined || (h['content-length'] !== undefined && h['content-length'] !== '0')
}

/** Reads and discards the rest of the request body; a close of the connection meanwhile becomes a half-close. */
export function linger(req: IncomingMessage): void {
  const socket = req.socket
  if (!socket || socket.destroyed || socket.destroySoon === halfClose) return
  socket.destroySoon = halfClose
  let read = 0
  const drop = () => socket.destroy()
  const timer = setTimeout(drop, LINGER_MS)
  timer.unref()
  const count = (d: Buffer) => {
    read += d.length
    if (read > LINGER_BYTES) drop()
  }
  // the body is over: a later answer on this connection may close it the usual way
  const done = () => {
    clearTimeout(timer)
    req.off('data', count)
    if (socket.destroySoon === halfClose) delete (socket as Partial<Socket>).destroySoon
  }
  req.on('data', count)
  req.once('end', done)
  socket.once('close', done)
  req.resume()
}

function halfClose(this: Socket): void {
  this.end()
}
