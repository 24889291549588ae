// key-auth access phase (Kong's key-auth handler, in our words): key from header, query or body.
// Header and query keys are handled synchronously; only `key_in_body` may wait for the request body.
import type { Exit, PluginContext, PluginHandler } from '../../pdk/index.ts'
import { runAuth, setConsumer } from '../../pdk/auth.ts'
import type { KeyAuthConfig } from './schema.ts'

const NO_KEY = 'No API key found in request'
const DUPLICATE_KEY = 'Duplicate API key found'
const INVALID = 'Unauthorized'

type Found = { key: string; name: string } | { duplicate: true } | null

/** The config plus what every request would otherwise recompute: header names lower-cased, the 401 challenge. */
export interface CompiledKeyAuth extends KeyAuthConfig {
  headerNames: string[]
  challenge: Record<string, string>
}

export function compile(conf: KeyAuthConfig): CompiledKeyAuth {
  const challenge = { 'WWW-Authenticate': conf.realm ? `Key realm="${conf.realm}"` : 'Key' }
  return { ...conf, headerNames: conf.key_names.map((n) => n.toLowerCase()), challenge }
}

/** Kong's lookup order per key name: header, then query, then (when enabled) the body. */
function lookup(ctx: PluginContext<CompiledKeyAuth>, body: Record<string, unknown> | undefined): Found {
  const conf = ctx.config
  for (let i = 0; i < conf.key_names.length; i++) {
    const name = conf.key_names[i]
    let v: unknown
    if (conf.key_in_header) v = ctx.request.headers[conf.headerNames[i]]
    if (v === undefined && conf.key_in_query) {
      const all = ctx.request.getQuery().getAll(name)
      v = all.length > 1 ? all : all[0]
    }
    if (v === undefined && body) v = body[name]
    if (typeof v === 'string') return { key: v, name }
    if (Array.isArray(v)) return { duplicate: true }
  }
  return null
}

function authenticate(ctx: PluginContext<CompiledKeyAuth>): Promise<Exit | void> | Exit | void {
  const conf = ctx.config
  const found = lookup(ctx, undefined)
  if (found || !conf.key_in_body) return finish(ctx, found, undefined)
  return ctx.request.getParsedBody().then((body) => {
    const b = body ?? {}
    return finish(ctx, lookup(ctx, b), b)
  })
}

function finish(ctx: PluginContext<CompiledKeyAuth>, found: Found, body: Record<string, unknown> | undefined): Exit | void {
  const conf = ctx.config
  if (found && 'duplicate' in found) return ctx.error(401, DUPLICATE_KEY, conf.challenge, 'key-auth.duplicate')
  if (!found || !found.key) return ctx.error(401, NO_KEY, conf.challenge, 'key-auth.missing')
  if (conf.hide_credentials) {
    const name = found.name
    ctx.upstream.clearHeader(name)
    const q = ctx.request.getQuery()
    if (q.has(name)) {
      q.delete(name)
      ctx.upstream.setRawQuery(q.toString())
    }
    if (body && name in body) {
      delete body[name]
      ctx.upstream.setBody(new URLSearchParams(body as Record<string, string>).toString())
    }
  }
  const credential = ctx.entities.find('keyauth_credentials', 'key', found.key)
  if (!credential) return ctx.error(401, INVALID, conf.challenge, 'key-auth.invalid')
  const consumer = ctx.client.loadConsumer(credential.consumer.id)
  setConsumer(ctx, consumer, credential)
}

export const handler: PluginHandler<CompiledKeyAuth> = {
  access(ctx) {
    if (!ctx.config.run_on_preflight && ctx.request.method === 'OPTIONS') return
    return runAuth(ctx, ctx.config.anonymous, () => authenticate(ctx))
  },
}
