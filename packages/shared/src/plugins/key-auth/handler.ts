// key-auth access phase (Kong's key-auth handler, in our words): key from header, query or body.
// Header and query keys are handled synchronously; only `key_in_body` may wait for the request body.
import type { Exit, PluginContext, PluginHandler } from '../../pdk/index.ts'
import { runAuth, setConsumer } from '../../pdk/auth.ts'
import type { KeyAuthConfig } from './schema.ts'

const NO_KEY = 'No API key found in request'
const DUPLICATE_KEY = 'Duplicate API key found'
const INVALID = 'Unauthorized'

type Found = { key: string; name: string } | { duplicate: true } | null

/** Kong's lookup order per key name: header, then query, then (when enabled) the body. */
function lookup(ctx: PluginContext<KeyAuthConfig>, body: Record<string, unknown> | undefined): Found {
  const conf = ctx.config
  for (const name of conf.key_names) {
    let v: unknown
    if (conf.key_in_header) v = ctx.request.headers[name.toLowerCase()]
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

/** The 401's WWW-Authenticate, made only when a request is refused. */
const challenge = (conf: KeyAuthConfig) => ({ 'WWW-Authenticate': conf.realm ? `Key realm="${conf.realm}"` : 'Key' })

function authenticate(ctx: PluginContext<KeyAuthConfig>): Promise<Exit | void> | Exit | void {
  const conf = ctx.config
  const found = lookup(ctx, undefined)
  if (found || !conf.key_in_body) return finish(ctx, found, undefined)
  return ctx.request.getParsedBody().then((body) => {
    const b = body ?? {}
    return finish(ctx, lookup(ctx, b), b)
  })
}

function finish(ctx: PluginContext<KeyAuthConfig>, found: Found, body: Record<string, unknown> | undefined): Exit | void {
  const conf = ctx.config
  if (found && 'duplicate' in found) return ctx.error(401, DUPLICATE_KEY, challenge(conf), 'key-auth.duplicate')
  if (!found || !found.key) return ctx.error(401, NO_KEY, challenge(conf), 'key-auth.missing')
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
  if (!credential) return ctx.error(401, INVALID, challenge(conf), 'key-auth.invalid')
  const consumer = ctx.client.loadConsumer(credential.consumer.id)
  setConsumer(ctx, consumer, credential)
}

export const handler: PluginHandler<KeyAuthConfig> = {
  access(ctx) {
    if (!ctx.config.run_on_preflight && ctx.request.method === 'OPTIONS') return
    return runAuth(ctx, ctx.config.anonymous, () => authenticate(ctx))
  },
}
