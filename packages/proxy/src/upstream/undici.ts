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

/**
 * Names the proxy adds to upstream requests itself (Kong's X-Forwarded-*, X-Real-IP, X-Kong-Request-Id and the
 * auth plugins' consumer headers), registered in undici's table of well-known names. undici lower-cases and
 * checks every other name on each request (a regex for names of 12+ characters: ~0.5 µs a request in perf
 * profiles); these are lower-case tokens already, so for them the table's entry is the whole check.
 */
export const GATEWAY_HEADER_NAMES = [
  'x-real-ip', 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'x-forwarded-port', 'x-forwarded-path',
  'x-forwarded-prefix', 'x-kong-request-id', 'x-consumer-id', 'x-consumer-custom-id', 'x-consumer-username',
  'x-credential-identifier', 'x-anonymous-consumer',
] as const
// (undici.test.ts fails if an upgrade moves the table; the proxy then only loses the saving)
const wellKnown: Record<string, string> | undefined = require('undici/lib/core/constants.js').headerNameLowerCasedRecord
if (wellKnown !== undefined) for (const name of GATEWAY_HEADER_NAMES) wellKnown[name] ??= name

export const Pool: typeof Undici.Pool = require('undici/lib/dispatcher/pool.js')
export const Agent: typeof Undici.Agent = require('undici/lib/dispatcher/agent.js')
export const errors: typeof Undici.errors = require('undici/lib/core/errors.js')
export const buildConnector: typeof Undici.buildConnector = require('undici/lib/core/connect.js')
export type Pool = Undici.Pool
export type Agent = Undici.Agent
