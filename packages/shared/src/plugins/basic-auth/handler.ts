// basic-auth access phase (Kong 3.9 access.lua, in our words): Proxy-Authorization first, then
// Authorization; the password is checked against the stored scrypt hash, each header verified once per config.
import type { Entity } from '../../entity.ts'
import type { Exit, PluginContext, PluginHandler } from '../../pdk/index.ts'
import { runAuth, setConsumer } from '../../pdk/auth.ts'
import { parseBasic } from './credentials.ts'
import { verifyPassword } from './password.ts'
import { VerifiedPasswords } from './verified.ts'
import type { BasicAuthConfig } from './schema.ts'

const UNAUTHORIZED = 'Unauthorized'

export interface CompiledBasicAuth extends BasicAuthConfig {
  challenge: Record<string, string>
  verified: VerifiedPasswords
}

export function compile(conf: BasicAuthConfig): CompiledBasicAuth {
  return { ...conf, challenge: { 'WWW-Authenticate': `Basic realm="${conf.realm}"` }, verified: new VerifiedPasswords() }
}

type Ctx = PluginContext<CompiledBasicAuth>

/** Parse one header; with hide_credentials Kong clears it whether or not it held credentials. */
function fromHeader(ctx: Ctx, name: string): { username: string; password: string } | null {
  const found = parseBasic(ctx.request.getHeader(name))
  if (ctx.config.hide_credentials) ctx.upstream.clearHeader(name)
  return found
}

function deny(ctx: Ctx, reason: string): Exit {
  return ctx.error(401, UNAUTHORIZED, ctx.config.challenge, reason)
}

function authenticate(ctx: Ctx): Promise<Exit | void> | Exit | void {
  const req = ctx.request
  const authorization = req.getHeader('authorization')
  const proxyAuthorization = req.getHeader('proxy-authorization')
  if (authorization === undefined && proxyAuthorization === undefined) return deny(ctx, 'basic-auth.missing')
  const cache = ctx.config.verified
  // the common case, Authorization alone: a header seen before is answered from its verdict, unparsed
  const key = proxyAuthorization === undefined ? VerifiedPasswords.keyOf(authorization!) : undefined
  if (key !== undefined) {
    const known = cache.get(key)
    const credential = known && ctx.entities.find('basicauth_credentials', 'username', known.username)
    if (credential && credential.password === known!.stored) {
      if (ctx.config.hide_credentials) ctx.upstream.clearHeader('authorization')
      return finish(ctx, credential, known!.ok)
    }
  }
  let given = fromHeader(ctx, 'proxy-authorization')
  let credential = given ? ctx.entities.find('basicauth_credentials', 'username', given.username) : undefined
  let header = proxyAuthorization
  if (!credential) {
    given = fromHeader(ctx, 'authorization')
    if (!given) return deny(ctx, 'basic-auth.malformed')
    credential = ctx.entities.find('basicauth_credentials', 'username', given.username)
    header = authorization
  }
  if (!credential || !given) return deny(ctx, 'basic-auth.unknown_user')
  const password = given.password
  const cred = credential
  const stored: string = cred.password
  const verify = () => verifyPassword(password, stored)
  return cache.check(key ?? VerifiedPasswords.keyOf(header!), cred.username, stored, verify).then((ok) => finish(ctx, cred, ok))
}

function finish(ctx: Ctx, credential: Entity, ok: boolean): Exit | void {
  if (!ok) return deny(ctx, 'basic-auth.bad_password')
  const consumer = ctx.client.loadConsumer(credential.consumer.id)
  // Kong identifies a basic-auth credential by its username, not its id
  setConsumer(ctx, consumer, credential as any, credential.username)
}

export const handler: PluginHandler<CompiledBasicAuth> = {
  access(ctx) {
    return runAuth(ctx, ctx.config.anonymous, () => authenticate(ctx))
  },
}
