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

export const Pool: typeof Undici.Pool = require('undici/lib/dispatcher/pool.js')
export const Agent: typeof Undici.Agent = require('undici/lib/dispatcher/agent.js')
export const errors: typeof Undici.errors = require('undici/lib/core/errors.js')
export const buildConnector: typeof Undici.buildConnector = require('undici/lib/core/connect.js')
export type Pool = Undici.Pool
export type Agent = Undici.Agent
