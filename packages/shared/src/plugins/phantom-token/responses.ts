// phantom-token's error answers: Curity v2's JSON bodies (newline-terminated, as ngx.say writes them),
// `WWW-Authenticate: <scheme>` on 401, and Curity v1's CORS headers for trusted web origins.
import type { Exit, PluginContext } from '../../pdk/index.ts'
import type { PhantomToken } from './compile.ts'

export const UNAUTHORIZED = { code: 'unauthorized', message: 'Missing, invalid or expired access token' }
export const FORBIDDEN = { code: 'forbidden', message: 'The token does not contain the required scope' }
export const SERVER_ERROR = { code: 'server_error', message: 'Problem encountered authorizing the HTTP request' }

const BODIES = { 401: UNAUTHORIZED, 403: FORBIDDEN, 500: SERVER_ERROR } as const

export function deny(ctx: PluginContext<PhantomToken>, status: 401 | 403 | 500, reason: string): Exit {
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (status === 401) headers['www-authenticate'] = ctx.config.scheme
  const origin = ctx.request.getHeader('origin')
  // Exact, case-sensitive match as Curity v1. Vary tells shared caches the answer depends on Origin.
  if (origin && ctx.config.origins.has(origin)) {
    headers['access-control-allow-origin'] = origin
    headers['access-control-allow-credentials'] = 'true'
    headers.vary = 'Origin'
  }
  return ctx.exit(status, JSON.stringify(BODIES[status]) + '\n', headers, reason)
}
