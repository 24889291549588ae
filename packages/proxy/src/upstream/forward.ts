// Streaming HTTP/1.1 forwarder on undici's dispatch API: the proxy hot path, one handler object per request.
// The handler speaks undici's own handler interface (onConnect … onComplete), the one its Request calls: a
// handler with the newer onRequestStart/onResponse* methods is wrapped per request in an UnwrapHandler and an
// UnwrapController, and its response headers are parsed into an object that the proxy would then copy again
// without the hop-by-hop ones (perf: ≈ 1.3 % of a proxied request for the wrapping and the second copy).
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Readable } from 'node:stream'
import { performance } from 'node:perf_hooks'
import type { Dispatcher, Pool } from 'undici'
import {
  ClientAbortedError,
  classifyUpstreamError,
  isConnectFailure,
  isRetryableKind,
  type UpstreamErrorKind,
} from './errors.ts'
import { requestHasNoBody, responseHeadersFromRaw, stripRequestForUndici, wantsTrailers } from './hop-by-hop.ts'
import { parseHeaders } from './undici.ts'
import type { UpstreamPools, UpstreamTarget } from './pools.ts'
import { startReadTimer, startWriteTimer, stopReadTimer, stopWriteTimer, watchBody, type Timed } from './timers.ts'
import type { DeadlineList, Deadlined } from './deadlines.ts'

export interface ForwardRequest {
  method: string
  /** Upstream path + '?' + query (already computed). */
  path: string
  /** Final upstream request headers with lower-case names, including host; hop-by-hop already removed. */
  headers: Record<string, string | string[]>
  /** Streamed when an IncomingMessage or another Readable (a watched client body); never buffered. */
  body: IncomingMessage | Readable | Buffer | null
}

export interface ForwardHooks {
  /**
   * Called once with the upstream status and headers (lower-case names, hop-by-hop removed); may mutate both;
   * returns the status to send. `upstreamLatencyMs` is the time until the upstream's response headers, for
   * X-Kong-Upstream-Latency. If the body length may change in bodyFilter, drop content-length here.
   */
  onHeaders(status: number, headers: Record<string, string | string[]>, upstreamLatencyMs: number): number
  /** Optional per-chunk transform (body_filter); absent means chunks pass through untouched. */
  bodyFilter?: (chunk: Buffer, last: boolean) => Buffer
}

/**
 * The balancer's side of a request (Kong's ring-balancer): the target of each retry, and what each attempt
 * saw, for passive health checks, least-connections and latency. Absent for a plain single-host service.
 */
export interface PeerPicker {
  /** The target of the next attempt (another peer when the balancer has one), or null when none is left. */
  retry(): UpstreamTarget | null
  /** The current attempt got response headers. */
  result(status: number, latencyMs: number): void
  /** The current attempt failed before response headers. */
  failed(kind: UpstreamErrorKind): void
  /** The request is over. */
  done(): void
}

/** The hot path's receiver of a forward: the hooks plus its outcome, through methods (no promise per request). */
export interface ForwardSink extends ForwardHooks {
  /** Every upstream outcome, once. */
  forwarded(r: ForwardResult): void
  /** A hook threw (check `res.headersSent` to know whether an error response can still be written). */
  forwardFailed(err: unknown): void
}

export type ForwardResult =
  | { ok: true; status: number; upstreamLatencyMs: number; bytesSent: number }
  | { ok: false; kind: UpstreamErrorKind; headersSent: boolean; upstreamLatencyMs: number }

type Headers = Record<string, string | string[]>
const kFwd = Symbol('postern.forward')
/** The headers object a response was written with (writeHead with an object leaves res.getHeaders() empty), for the log phase. */
export const kSentHeaders = Symbol('postern.sentHeaders')

/** The response's headers as sent: the object given to writeHead, else what setHeader collected. */
export function sentHeaders(res: ServerResponse): Record<string, unknown> {
  return (res as ServerResponse & { [kSentHeaders]?: Record<string, unknown> })[kSentHeaders] ?? (res.getHeaders() as Record<string, unknown>)
}
type Res = ServerResponse & { [kFwd]?: Forwarder; [kSentHeaders]?: Record<string, unknown> }

const EMPTY = Buffer.alloc(0)

/**
 * Sends the request upstream and streams the response into `res` (writeHead after hooks.onHeaders).
 * Resolves with a ForwardResult for every upstream outcome; rejects only when a hook throws (check
 * `res.headersSent` to know whether an error response can still be written).
 */
export function forward(
  pools: UpstreamPools,
  target: UpstreamTarget,
  req: ForwardRequest,
  res: ServerResponse,
  hooks: ForwardHooks,
  picker?: PeerPicker,
): Promise<ForwardResult> {
  return new Promise((resolve, reject) => {
    const sink: ForwardSink = {
      onHeaders: (status, headers, latency) => hooks.onHeaders(status, headers, latency),
      bodyFilter: hooks.bodyFilter && ((chunk, last) => hooks.bodyFilter!(chunk, last)),
      forwarded: resolve,
      forwardFailed: reject,
    }
    forwardTo(pools, target, req, res, sink, picker)
  })
}

/** forward() for the hot path: the outcome goes to `sink.forwarded` / `sink.forwardFailed`, possibly synchronously. */
export function forwardTo(pools: UpstreamPools, target: UpstreamTarget, req: ForwardRequest, res: ServerResponse, sink: ForwardSink, picker?: PeerPicker): void {
  let pool: Pool
  try {
    pool = pools.get(target)
  } catch (err) {
    return sink.forwardFailed(err) // closed pools
  }
  const fw = new Forwarder(pool, target, req, res as Res, sink)
  if (picker !== undefined) {
    fw.picker = picker
    fw.pools = pools
  }
  fw.start()
}

class Forwarder implements Timed {
  readonly t0 = performance.now()
  /** undici's Request also reads `servername` (not in its DispatchOptions type). */
  readonly opts: Dispatcher.DispatchOptions & { servername?: string }
  /** Set only for a streamed body; null/Buffer bodies are replayable and need no write watchdog. */
  readonly stream: IncomingMessage | Readable | null
  abort: ((err: Error) => void) | null = null
  paused = false
  /** undici's resume for the response (from onHeaders), called on the client's 'drain' after a pause. */
  resume: (() => void) | null = null
  triesLeft: number
  status = 0
  latency = 0
  bytesSent = 0
  headersSent = false
  settled = false
  clientGone = false
  drainHooked = false
  hookError: unknown = null
  writeTimer: NodeJS.Timeout | null = null
  pausedAt = -1
  lastRead = 0
  // the read deadline's list links (deadlines.ts)
  deadline = -1
  dlPrev: Deadlined | null = null
  dlNext: Deadlined | null = null
  dlList: DeadlineList<any> | null = null
  picker: PeerPicker | null = null
  pools: UpstreamPools | null = null

  constructor(
    public pool: Pool,
    public target: UpstreamTarget,
    readonly req: ForwardRequest,
    readonly res: Res,
    readonly hooks: ForwardSink,
  ) {
    const h = stripRequestForUndici(req.headers)
    let body = req.body
    if (body !== null && !Buffer.isBuffer(body) && 'headers' in body && requestHasNoBody(body)) body = null
    this.stream = body !== null && !Buffer.isBuffer(body) ? body : null
    if (this.stream !== null) watchBody(this, this.stream)
    this.triesLeft = target.retries > 0 ? target.retries : 0
    // undici works out each request's TLS server name from its Host header (host without port, '' for an
    // address: a string scan and net.isIP's regex per request) and reads it only for https origins; an http
    // target's is never read, so it gets its host and undici skips the work. https targets are left as they were.
    this.opts = { method: req.method as Dispatcher.HttpMethod, path: req.path, headers: h, body, servername: target.protocol === 'http' ? target.host : undefined }
  }

  start(): void {
    if (this.res.destroyed) {
      // The client is already gone and 'close' will not fire again; do not bother the upstream.
      this.settle({ ok: false, kind: 'aborted', headersSent: false, upstreamLatencyMs: 0 })
      return
    }
    this.res[kFwd] = this
    this.res.on('close', onResClose)
    this.pool.dispatch(this.opts, this as unknown as Dispatcher.DispatchHandler) // undici's own handler interface (see the top)
  }

  onConnect(abort: (err: Error) => void): void {
    if (this.settled) {
      // The client left while the request sat in the pool queue.
      abort(new ClientAbortedError())
      return
    }
    this.abort = abort
    this.paused = false
    // Called once the connection is up (connect_timeout is the connector's), for every attempt; the write
    // timer runs while undici holds a streamed body back (timers.ts).
    startReadTimer(this)
    startWriteTimer(this)
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void): boolean {
    this.clearWriteTimer()
    this.resume = resume
    this.lastRead = performance.now()
    this.latency = this.lastRead - this.t0
    this.picker?.result(statusCode, this.latency)
    const out = responseHeadersFromRaw(rawHeaders, this.req.headers.te)
    try {
      const status = this.hooks.onHeaders(statusCode, out, this.latency)
      this.res.writeHead(status, flatHeaders(out) as string[])
      this.res[kSentHeaders] = out
      this.status = status
      this.headersSent = true
    } catch (err) {
      this.hookError = err
      this.abort!(err as Error)
      return false
    }
    return true
  }

  /** Returns false to pause reading the upstream (undici's handler contract). */
  onData(chunk: Buffer): boolean {
    this.lastRead = performance.now()
    if (this.hooks.bodyFilter !== undefined) {
      try {
        chunk = this.hooks.bodyFilter(chunk, false)
      } catch (err) {
        this.hookError = err
        this.abort!(err as Error)
        return false
      }
      if (chunk.length === 0) return true
    }
    this.bytesSent += chunk.length
    if (this.res.write(chunk)) return true
    // Client is slower than the upstream: stop reading the upstream socket until the client drains.
    this.paused = true
    if (!this.drainHooked) {
      this.drainHooked = true
      this.res.on('drain', onResDrain)
    }
    return false
  }

  onComplete(rawTrailers: Buffer[] | null): void {
    if (this.hooks.bodyFilter !== undefined) {
      let last: Buffer
      try {
        last = this.hooks.bodyFilter(EMPTY, true)
      } catch (err) {
        this.res.destroy()
        this.fail(err)
        return
      }
      if (last.length > 0) {
        this.bytesSent += last.length
        this.res.write(last)
      }
    }
    // Trailers only mean something to a client that asked for them (and only reach it on a chunked response).
    if (rawTrailers !== null && rawTrailers.length > 0 && wantsTrailers(this.req.headers.te)) {
      this.res.addTrailers(parseHeaders(rawTrailers) as Headers)
    }
    this.res.end()
    this.settle({ ok: true, status: this.status, upstreamLatencyMs: this.latency, bytesSent: this.bytesSent })
  }

  onError(err: Error): void {
    this.abort = null
    if (this.settled) return
    this.clearWriteTimer()
    stopReadTimer(this) // the next attempt arms its own
    if (this.hookError !== null) {
      if (this.headersSent) this.res.destroy()
      this.fail(this.hookError)
      return
    }
    // A body stream that errored on its own means the client went away mid-upload.
    const kind: UpstreamErrorKind =
      this.clientGone || (this.stream !== null && this.stream.errored === err) ? 'aborted' : classifyUpstreamError(err)
    if (!this.headersSent) this.picker?.failed(kind)
    if (!this.headersSent && this.triesLeft > 0 && this.canRetry(kind) && this.nextPeer()) {
      this.triesLeft--
      // Deferred: undici is still iterating its failed queue and asserts it stays empty.
      process.nextTick(redispatch, this)
      return
    }
    // After headers, the only honest signal of a truncated body is a broken client connection.
    if (this.headersSent) this.res.destroy()
    this.settle({ ok: false, kind, headersSent: this.headersSent, upstreamLatencyMs: performance.now() - this.t0 })
  }

  /** Kong's retry rule with a balancer: the retry goes to the peer it picks next (another one when it can). */
  nextPeer(): boolean {
    if (this.picker === null) return true
    const t = this.picker.retry()
    if (t === null) return false
    this.target = t
    this.pool = this.pools!.get(t)
    return true
  }

  canRetry(kind: UpstreamErrorKind): boolean {
    if (!isRetryableKind(kind)) return false
    const s = this.stream
    // A streamed body that undici started reading is gone; only an untouched one can be replayed.
    if (s !== null && (s.readableDidRead || s.destroyed || s.readableFlowing === true)) return false
    // Nothing was sent on a connect failure; otherwise non-idempotent methods must not be repeated.
    if (isConnectFailure(kind)) return true
    const m = this.req.method
    return m !== 'POST' && m !== 'PATCH' && m !== 'LOCK'
  }

  clientClosed(): void {
    this.clientGone = true
    if (this.abort !== null) {
      this.abort(new ClientAbortedError())
    } else {
      // Queued or between retries: answer now; onRequestStart/redispatch see `settled` and stop.
      this.settle({ ok: false, kind: 'aborted', headersSent: this.headersSent, upstreamLatencyMs: performance.now() - this.t0 })
    }
  }

  clearWriteTimer(): void {
    stopWriteTimer(this)
  }

  settle(result: ForwardResult): void {
    if (this.settled) return
    this.settled = true
    this.picker?.done()
    this.clearWriteTimer()
    stopReadTimer(this)
    this.res[kFwd] = undefined
    this.hooks.forwarded(result)
  }

  fail(err: unknown): void {
    if (this.settled) return
    this.settled = true
    this.picker?.done()
    this.clearWriteTimer()
    stopReadTimer(this)
    this.res[kFwd] = undefined
    this.hooks.forwardFailed(err)
  }
}

/**
 * The response headers as the flat list [name, value, …] that node's writeHead also takes: it then reads
 * them by index, where an object costs it a hasOwn and a keyed load per header that sees every header
 * object's shape (megamorphic). Counted under callgrind (`pnpm bench --instructions`): ≈ 1.3 k fewer of the
 * ≈ 165 k instructions of a proxied request. The upstream request keeps its object: undici's Request given
 * the same list cost ≈ 1 k more than its Object.keys walk.
 */
function flatHeaders(h: Headers): Array<string | string[]> {
  const out: Array<string | string[]> = []
  for (const name in h) out.push(name, h[name])
  return out
}

// Module-level listeners (state lives on the response) so no closures are allocated per request.
function onResClose(this: Res): void {
  const fw = this[kFwd]
  if (fw !== undefined && !fw.settled && !this.writableFinished) fw.clientClosed()
}

function onResDrain(this: Res): void {
  const fw = this[kFwd]
  if (fw !== undefined && fw.paused && fw.abort !== null) {
    fw.paused = false
    fw.resume?.()
  }
}

function redispatch(fw: Forwarder): void {
  if (!fw.settled) fw.pool.dispatch(fw.opts, fw as unknown as Dispatcher.DispatchHandler)
}
