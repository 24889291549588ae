// Request-body watchers (ctx.request.onBodyChunk): a streamed body is counted as it is forwarded and a
// watcher may stop the upload with an answer (request-size-limiting's 413) without ever buffering it.
import type { IncomingMessage } from 'node:http'
import type { Socket } from 'node:net'
import { Transform } from 'node:stream'
import type { BodyChunkWatcher, Exit } from '@postern/shared'

/** The stream error that tells the forwarder a watcher stopped the upload (never an upstream failure). */
export class BodyWatchStop extends Error {
  readonly code = 'POSTERN_BODY_WATCH_STOP'
}

/** Runs the watchers over a body held in memory (read or replaced by a plugin); the first answer wins. */
export function checkBuffer(watchers: readonly BodyChunkWatcher[], body: Buffer): Exit | undefined {
  for (const w of watchers) {
    const exit = w(body, body.length)
    if (exit) return exit
  }
  return undefined
}

/** How long the rest of a stopped upload is read and discarded before the connection is dropped. */
const LINGER_MS = 5000

/**
 * The client body piped through a counting transform. When a watcher answers, `onExit` receives the answer
 * and the stream errors, which makes undici abort the upstream request. The client's request is unpiped and
 * drained rather than destroyed (nginx's lingering close): closing at once would reset the connection while
 * the client is still sending, and the client would lose the answer. An upload that outlasts the linger
 * time loses its connection.
 */
export function watchStream(req: IncomingMessage, watchers: readonly BodyChunkWatcher[], onExit: (exit: Exit) => void): Transform {
  let total = 0
  const t = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      total += chunk.length
      for (const w of watchers) {
        const exit = w(chunk, total)
        if (exit) {
          req.unpipe(t)
          linger(req)
          onExit(exit)
          return cb(new BodyWatchStop('request body stopped by a plugin'))
        }
      }
      cb(null, chunk)
    },
  })
  // the error may come before undici listens; it learns of it from the stream's state
  t.on('error', noop)
  req.on('error', (err) => t.destroy(err))
  req.pipe(t)
  return t
}

function linger(req: IncomingMessage): void {
  // When the answer is the connection's last (the client sent Connection: close, say), node ends it with
  // destroySoon(), whose destroy would reset the connection under a client still sending (EPIPE there, and the
  // answer lost with it). A half-close instead: our FIN goes out after the answer and the rest is read until
  // the client ends too (the socket then closes by itself) or the linger time runs out.
  const socket = req.socket
  socket.destroySoon = halfClose
  const timer = setTimeout(() => socket.destroy(), LINGER_MS)
  timer.unref()
  // the body is over: a later answer on this connection may close it the usual way
  const done = () => (clearTimeout(timer), delete (socket as Partial<Socket>).destroySoon)
  req.once('end', done)
  req.once('close', done)
  req.resume()
}

function noop(): void {}

function halfClose(this: Socket): void {
  this.end()
}
