// Lingering close for a connection the admin answers before reading the whole request body (413): node
// would destroy the socket right after the answer, and a client still writing gets a reset instead of the
// answer. Like nginx's lingering_close, the write side is shut, the rest is read and discarded for a
// bounded time and size, and only then is the socket destroyed.
import type { IncomingMessage } from 'node:http'

const LINGER_MS = 5000
const LINGER_BYTES = 64 * 1024 * 1024

export function lingerOnClose(incoming: IncomingMessage | undefined): void {
  const socket = incoming?.socket
  if (!socket || socket.destroyed) return
  // node's http server calls destroySoon() once a `Connection: close` answer is written
  socket.destroySoon = function lingeringClose() {
    let read = 0
    const done = () => {
      clearTimeout(timer)
      socket.destroy()
    }
    const timer = setTimeout(done, LINGER_MS)
    timer.unref()
    socket.on('data', (d: Buffer) => {
      read += d.length
      if (read > LINGER_BYTES) done()
    })
    socket.once('end', done)
    socket.end()
    socket.resume()
  }
  incoming.resume()
}
