// The parts of undici the proxy uses, required from their own files. undici's index also loads fetch,
// WebSocket, EventSource, cookies, the cache stores, the mocks and, through them, node's own bundled undici:
// about 100 ms of a cold start that has 1 s to answer (profiled: index 130 ms, these files 45 ms). Types still
// come from 'undici'; undici.test.ts checks that each value is the very one the index exports, so an upgrade
// that moves a file fails there rather than at run time.
import { createRequire } from 'node:module'
import type * as Undici from 'undici'

const require = createRequire(import.meta.url)

// the index does this for every dispatcher: request(), stream(), pipeline(), connect(), upgrade()
Object.assign(require('undici/lib/dispatcher/dispatcher.js').prototype, require('undici/lib/api/index.js'))

// undici lower-cases and checks every request header name that is not in its table of well-known names, on each
// request (a regex for names of 12+ characters: ~0.5 µs a request in perf profiles). The names the gateway sets
// itself are lower-case tokens already; registered here (pipeline/headers.ts does), the table's entry is the
// whole check for them. Values are still checked. (undici.test.ts fails if an upgrade moves the table; the proxy
// then only loses the saving.)
const wellKnown: Record<string, string> | undefined = require('undici/lib/core/constants.js').headerNameLowerCasedRecord

/** Adds lower-case header names to undici's well-known table (names that are not lower-case tokens are refused). */
export function knowHeaderNames(names: readonly string[]): void {
  for (const name of names) {
    if (!/^[a-z0-9-]+$/.test(name)) throw new Error(`not a lower-case header name: ${name}`)
    if (wellKnown !== undefined) wellKnown[name] ??= name
  }
}

export const Pool: typeof Undici.Pool = require('undici/lib/dispatcher/pool.js')
export const Agent: typeof Undici.Agent = require('undici/lib/dispatcher/agent.js')
export const errors: typeof Undici.errors = require('undici/lib/core/errors.js')
export const buildConnector: typeof Undici.buildConnector = require('undici/lib/core/connect.js')
const util: typeof Undici.util = require('undici/lib/core/util.js')
/** undici's header-list parser (lower-case names, repeated names as arrays, latin1 values), for trailers. */
export const parseHeaders: typeof Undici.util.parseHeaders = util.parseHeaders
/** undici's lower-cased header name for a raw name (its well-known names without a string allocation). */
export const headerNameToString: typeof Undici.util.headerNameToString = util.headerNameToString
export type Pool = Undici.Pool
export type Agent = Undici.Agent
