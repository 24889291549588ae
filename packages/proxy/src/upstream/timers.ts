// Upstream connect/read/write timeouts on native timers, so a timeout fires within a few ms of its setting:
// undici's own connect, headers and body timeouts run on a 1 s-resolution clock (a 500 ms one fires at ~1 s).
import type { Readable } from 'node:stream'
import type { Socket } from 'node:net'
import type { buildConnector as Connector } from 'undici'
import { buildConnector, errors } from './undici.ts'
import { UpstreamReadTimeoutError, UpstreamWriteTimeoutError } from './errors.ts'
import type { UpstreamTarget } from './pools.ts'
import { DeadlineList, type Deadlined } from './deadlines.ts'

/** The part of a Forwarder the timers read and write (its read deadline: the Deadlined fields). */
export interface Timed extends Deadlined {
  readonly target: UpstreamTarget
  /** The client's request body when it is streamed, else null. */
  readonly stream: Readable | null
  /** undici's abort for the current attempt (from its onConnect); null until connected and between attempts. */
  abort: ((err: Error) => void) | null
  /** Reading from the upstream is paused because the client is slower (the response waits for its 'drain'). */
  paused: boolean
  settled: boolean
  headersSent: boolean
  /** performance.now() of the last read from the upstream (or of the end of sending). */
  lastRead: number
  writeTimer: NodeJS.Timeout | null
  /** performance.now() when undici paused the body because the upstream socket was full; -1 when flowing. */
  pausedAt: number
}

const kTimed = Symbol('postern.timed')
type Body = Readable & { [kTimed]?: Timed }

/**
 * For a streamed body: the read timer counts from the moment the body was fully sent, as nginx's does, and
 * the write timer runs while undici holds the body back because the upstream does not take more bytes.
 */
export function watchBody(fw: Timed, body: Readable): void {
  ;(body as Body)[kTimed] = fw
  if (fw.target.readTimeout > 0) body.once('end', onBodyEnd)
  if (fw.target.writeTimeout > 0) body.on('pause', onBodyPause).on('resume', onBodyResume)
}

function onBodyEnd(this: Body): void {
  const fw = this[kTimed]
  if (fw !== undefined) fw.lastRead = performance.now()
}

// undici pauses the body when a write to the upstream socket returns false and resumes it on 'drain'.
function onBodyPause(this: Body): void {
  const fw = this[kTimed]
  if (fw === undefined || fw.settled) return
  fw.pausedAt = performance.now()
  if (fw.writeTimer === null && fw.abort !== null) fw.writeTimer = setTimeout(checkWrite, fw.target.writeTimeout, fw)
}

function onBodyResume(this: Body): void {
  const fw = this[kTimed]
  if (fw !== undefined) fw.pausedAt = -1
}

/** One deadline list per read_timeout length (services share a few lengths; 60,000 ms by default). */
const readLists = new Map<number, DeadlineList<Timed>>()

/**
 * Kong's read_timeout, per attempt and "between two successive reads": armed once the connection is up,
 * and moved forward by every read. Reads only record the time; the deadline list (deadlines.ts) checks it
 * when the attempt is due, so a request that is answered in time costs a link and an unlink.
 */
export function startReadTimer(fw: Timed): void {
  const ms = fw.target.readTimeout
  if (!(ms > 0)) return
  let list = readLists.get(ms)
  if (list === undefined) readLists.set(ms, (list = new DeadlineList<Timed>(checkRead)))
  fw.lastRead = performance.now()
  list.add(fw, fw.lastRead + ms)
}

export function stopReadTimer(fw: Timed): void {
  if (fw.dlList !== null) fw.dlList.remove(fw)
}

/** At the attempt's deadline: abort when the upstream has been silent for read_timeout, else the new deadline. */
function checkRead(fw: Timed, now: number): number {
  const abort = fw.abort
  if (fw.settled || abort === null) return -1
  const ms = fw.target.readTimeout
  // Not the upstream's turn to talk: the body is still being sent (write_timeout's business), or we stopped
  // reading because the client is slower than the upstream (nginx does not blame the upstream for that).
  if (fw.paused || (!fw.headersSent && fw.stream !== null && !fw.stream.readableEnded)) fw.lastRead = now
  // libuv's clock is in whole ms, so the list may check up to 1 ms before performance.now() says it is due.
  if (now - fw.lastRead >= ms - 1) {
    abort(new UpstreamReadTimeoutError())
    return -1
  }
  return fw.lastRead + ms
}

/** On a new attempt: a body already held back (paused) is timed from now. */
export function startWriteTimer(fw: Timed): void {
  if (fw.pausedAt >= 0 && fw.writeTimer === null && fw.target.writeTimeout > 0) {
    fw.pausedAt = performance.now()
    fw.writeTimer = setTimeout(checkWrite, fw.target.writeTimeout, fw)
  }
}

export function stopWriteTimer(fw: Timed): void {
  if (fw.writeTimer !== null) {
    clearTimeout(fw.writeTimer)
    fw.writeTimer = null
  }
}

/**
 * Kong's write_timeout, "between two successive writes": fires when the upstream has not taken a byte of the
 * body for that long (undici paused the body on a full socket and no 'drain' resumed it). A slow client never
 * pauses the body, so it is not the upstream's fault.
 */
function checkWrite(fw: Timed): void {
  fw.writeTimer = null
  const abort = fw.abort
  if (fw.settled || fw.headersSent || abort === null || fw.pausedAt < 0) return // the next pause re-arms
  const ms = fw.target.writeTimeout
  const idle = performance.now() - fw.pausedAt
  if (idle >= ms - 1) {
    abort(new UpstreamWriteTimeoutError())
    return
  }
  fw.writeTimer = setTimeout(checkWrite, ms - idle, fw)
}

/**
 * undici's connector with its coarse connect timer off and a native one instead (connect_timeout, per
 * attempt). Only new connections pay for it; reused keep-alive sockets do not connect.
 */
export function preciseConnector(timeout: number, options: Connector.BuildOptions): Connector.connector {
  const base = buildConnector({ ...options, timeout: 0 })
  if (!(timeout > 0)) return base
  return function connect(opts, callback) {
    let done = false
    let timer: NodeJS.Timeout | undefined
    const socket = (base as unknown as (o: typeof opts, cb: Connector.Callback) => Socket)(opts, (...args) => {
      if (done) return // timed out already; the socket was destroyed
      done = true
      if (timer !== undefined) clearTimeout(timer)
      callback(...args)
    })
    if (done) return socket
    timer = setTimeout(() => {
      if (done) return
      done = true
      socket.destroy()
      callback(new errors.ConnectTimeoutError(`Connect Timeout Error (attempted address: ${opts.hostname}:${opts.port}, timeout: ${timeout}ms)`), null)
    }, timeout)
    return socket
  } as Connector.connector
}
