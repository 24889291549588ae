// Hop-by-hop header handling on both legs (Kong §4.6/§4.9) and body detection, shared by forward.ts.
import type { IncomingMessage } from 'node:http'
import { headerNameToString } from './undici.ts'

/**
 * Removes (in place) the request headers undici throws on (it owns framing and connection management), so
 * they can never be forwarded; the caller already dropped Kong's hop-by-hop set. One named load per header:
 * a loop over a list of names made this a megamorphic keyed load on every request (seen in perf profiles).
 */
export function stripRequestForUndici(h: Record<string, string | string[]>): Record<string, string | string[]> {
  if (h['transfer-encoding'] !== undefined) delete h['transfer-encoding']
  if (h.connection !== undefined) delete h.connection
  if (h['keep-alive'] !== undefined) delete h['keep-alive']
  if (h.upgrade !== undefined) delete h.upgrade
  if (h.expect !== undefined) delete h.expect
  if (h['proxy-connection'] !== undefined) delete h['proxy-connection']
  return h
}

/** A request without content-length/transfer-encoding (or with length 0) has no body; sending null keeps it replayable. */
export function requestHasNoBody(msg: IncomingMessage): boolean {
  const h = msg.headers
  if (h === undefined || h['transfer-encoding'] !== undefined) return false
  const cl = h['content-length']
  return cl === undefined || cl === '0'
}

// Fixed hop-by-hop response headers; the names `connection` lists are dropped too (below).
const RES_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'proxy-connection', 'upgrade'])

/**
 * The response headers to send, as a fresh object without the hop-by-hop ones. Copying in one pass keeps
 * the object in V8's fast mode (deleting from undici's object turns it into a slow dictionary, which every
 * later read and writeHead's iteration pay for).
 */
export function copyResponseHeaders(h: Record<string, string | string[]>, te: string | string[] | undefined): Record<string, string | string[]> {
  const conn = h.connection
  let listed: Set<string> | null = null
  if (conn !== undefined) {
    const v = typeof conn === 'string' ? conn : conn.join(',')
    if (v !== 'keep-alive' && v !== 'close' && v !== 'Keep-Alive') listed = new Set(v.split(',').map((x) => x.trim().toLowerCase()))
  }
  const keepTrailer = h.trailer !== undefined && wantsTrailers(te)
  const out: Record<string, string | string[]> = {}
  for (const k in h) {
    if (RES_HOP.has(k) || (listed !== null && listed.has(k)) || (k === 'trailer' && !keepTrailer)) continue
    out[k] = h[k]
  }
  return out
}

/**
 * The response headers to send, straight from undici's raw list (name, value, …) in one pass: names
 * lower-cased, repeated names gathered into arrays and values decoded as latin1, as undici's parseHeaders
 * does, and the hop-by-hop ones left out, as copyResponseHeaders does.
 */
export function responseHeadersFromRaw(raw: Buffer[], te: string | string[] | undefined): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {}
  let conn: string | undefined
  for (let i = 0; i < raw.length; i += 2) {
    const name = headerNameToString(raw[i])
    const value = raw[i + 1].toString('latin1')
    if (name === 'connection') {
      conn = conn === undefined ? value : `${conn},${value}`
      continue
    }
    if (RES_HOP.has(name)) continue
    const cur = out[name]
    if (cur === undefined) out[name] = value
    else if (!Object.hasOwn(out, name)) {
      // a name that is also an Object.prototype member (`constructor`, `__proto__`): an own header all the same
      Object.defineProperty(out, name, { value, enumerable: true, configurable: true, writable: true })
    } else if (typeof cur === 'string') out[name] = [cur, value]
    else cur.push(value)
  }
  // rare: Connection names other headers, or a Trailer the client did not ask for (a copy keeps `out` in fast mode)
  if ((conn !== undefined && conn !== 'keep-alive' && conn !== 'close' && conn !== 'Keep-Alive') || (out.trailer !== undefined && !wantsTrailers(te))) {
    return copyResponseHeaders(conn === undefined ? out : { ...out, connection: conn }, te)
  }
  return out
}

/** `TE` names the `trailers` token (Kong: the value is "trailers" or one of its comma-separated items is). */
export function wantsTrailers(te: string | string[] | undefined): boolean {
  if (te === undefined) return false
  if (te === 'trailers') return true
  const v = (typeof te === 'string' ? te : te.join(',')).toLowerCase()
  if (!v.includes('trailers')) return false
  for (const part of v.split(',')) if (part.trim() === 'trailers') return true
  return false
}
