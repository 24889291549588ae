// Where oauth2-introspection finds the token (Kong's order): an `access_token` parameter in the body or
// query string (the body wins, as Kong merges it over the query), else `Authorization: Bearer|Token <t>`.
// With hide_credentials the token is removed from where it was found.
import type { PluginContext } from '../../pdk/index.ts'
import type { OAuth2Introspection } from './compile.ts'

const PARAM = 'access_token'

export type Found = { token: string | null } | { badBody: true }

function hasBody(ctx: PluginContext): boolean {
  const h = ctx.request.headers
  const len = h['content-length']
  return len !== undefined ? len !== '0' : h['transfer-encoding'] !== undefined
}

/** The body's parameters: form fields or a JSON object; `badBody` for JSON that is not an object (Kong 400). */
async function bodyParams(ctx: PluginContext): Promise<{ params: Record<string, unknown>; form: boolean } | { badBody: true } | null> {
  if (!hasBody(ctx)) return null
  const type = (ctx.request.getHeader('content-type') ?? '').toLowerCase()
  if (type.startsWith('application/x-www-form-urlencoded')) {
    const form = new URLSearchParams((await ctx.request.getBody()).toString('utf8'))
    return { params: Object.fromEntries(form), form: true }
  }
  if (type.includes('application/json')) {
    let parsed: unknown
    try {
      parsed = JSON.parse((await ctx.request.getBody()).toString('utf8'))
    } catch {
      return null // unparseable JSON simply holds no token, as in Kong
    }
    if (parsed === null || typeof parsed !== 'object') return { badBody: true }
    return Array.isArray(parsed) ? null : { params: parsed as Record<string, unknown>, form: false }
  }
  return null
}

function fromAuthorization(value: string | undefined): string | null {
  if (!value) return null
  const parts = value.trim().split(/\s+/)
  if (parts.length !== 2) return null
  const scheme = parts[0].toLowerCase()
  return scheme === 'bearer' || scheme === 'token' ? parts[1] : null
}

export async function findToken(ctx: PluginContext<OAuth2Introspection>): Promise<Found> {
  const body = await bodyParams(ctx)
  if (body && 'badBody' in body) return body
  const query = ctx.request.getQuery()
  const fromBody = body?.params[PARAM]
  const param = typeof fromBody === 'string' ? fromBody : query.get(PARAM)
  const hide = ctx.config.hideCredentials
  if (param !== null && param !== undefined) {
    if (hide) {
      if (query.has(PARAM)) {
        query.delete(PARAM)
        ctx.upstream.setRawQuery(query.toString())
      }
      // Kong rewrites form bodies only; a JSON body is forwarded as sent (re-serialising could alter it).
      if (body?.form && ctx.request.method !== 'GET' && PARAM in body.params) {
        const rest = new URLSearchParams((await ctx.request.getBody()).toString('utf8'))
        rest.delete(PARAM)
        ctx.upstream.setBody(rest.toString())
      }
    }
    return { token: param }
  }
  const token = fromAuthorization(ctx.request.getHeader('authorization'))
  if (token && hide) ctx.upstream.clearHeader('authorization')
  return { token }
}
