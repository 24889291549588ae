// Request-body watchers (ctx.request.onBodyChunk): a streamed body is counted as it is forwarded and a
// watcher may stop the upload with an answer (request-size-limiting's 413) without ever buffering it.
import type { IncomingMessage } from 'node:http'
import { Transform } from 'node:stream'
import type { BodyChunkWatcher, Exit } from '@postern/shared'
import { linger } from '@postern/shared/http/linger.ts'

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

/**
 * The client body piped through a counting transform. When a watcher answers, `onExit` receives the answer
 * and the stream errors, which makes undici abort the upstream request. The client's request is unpiped and
 * drained rather than destroyed (nginx's lingering close, shared http/linger.ts).
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

function noop(): void {}
