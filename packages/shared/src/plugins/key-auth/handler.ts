// key-auth access phase (Kong's key-auth handler, in our words): key from header, query or body.
import type { Exit, PluginContext, PluginHandler } from '../../pdk/index.ts'
import { runAuth, setConsumer } from '../../pdk/auth.ts'
import type { KeyAuthConfig } from './schema.ts'

const NO_KEY = 'No API key found in request'
const DUPLICATE_KEY = 'Duplicate API key found'
const INVALID = 'Unauthorized'

async function authenticate(ctx: PluginContext<KeyAuthConfig>): Promise<Exit | void> {
  const conf = ctx.config
  const challenge = { 'WWW-Authenticate': conf.realm ? `Key realm="${conf.realm}"` : 'Key' }
  let key: string | undefined
  let body: Record<string, unknown> | undefined
  for (const name of conf.key_names) {
    let v: unknown
    if (conf.key_in_header) v = ctx.request.headers[name.toLowerCase()]
    if (v === undefined && conf.key_in_query) {
      const all = ctx.request.getQuery().getAll(name)
      v = all.length > 1 ? all : all[0]
    }
    if (v === undefined && conf.key_in_body) {
      body ??= (await ctx.request.getParsedBody()) ?? {}
      v = body[name]
    }
    if (typeof v === 'string') {
      key = v
      if (conf.hide_credentials) {
        ctx.upstream.clearHeader(name)
        const q = ctx.request.getQuery()
        if (q.has(name)) {
          q.delete(name)
          ctx.upstream.setRawQuery(q.toString())
        }
        if (conf.key_in_body && body && name in body) {
          delete body[name]
          ctx.upstream.setBody(new URLSearchParams(body as Record<string, string>).toString())
        }
      }
      break
    }
    if (Array.isArray(v)) return ctx.error(401, DUPLICATE_KEY, challenge, 'key-auth.duplicate')
  }
  if (!key) return ctx.error(401, NO_KEY, challenge, 'key-auth.missing')
  const credential = ctx.entities.find('keyauth_credentials', 'key', key)
  if (!credential) return ctx.error(401, INVALID, challenge, 'key-auth.invalid')
  const consumer = ctx.client.loadConsumer(credential.consumer.id)
  setConsumer(ctx, consumer, credential)
}

export const handler: PluginHandler<KeyAuthConfig> = {
  access(ctx) {
    if (!ctx.config.run_on_preflight && ctx.request.method === 'OPTIONS') return
    return runAuth(ctx, ctx.config.anonymous, () => authenticate(ctx))
  },
}
