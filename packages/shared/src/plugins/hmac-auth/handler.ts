// hmac-auth access phase (Kong 3.9 access.lua, in our words): date within clock_skew, the signature over
// the listed headers, then (optionally) the body's Digest. Every failure answers 401 with Kong's messages.
import type { Exit, PluginContext, PluginHandler } from '../../pdk/index.ts'
import { runAuth, setConsumer } from '../../pdk/auth.ts'
import { parseHttpDate } from './http-date.ts'
import { digestMatches, parseHmacHeader, sign, signatureMatches, signingString, type HmacParams } from './signature.ts'
import type { Algorithm, HmacAuthConfig } from './schema.ts'

const UNAUTHORIZED = 'Unauthorized'
const NO_DATE = 'HMAC signature cannot be verified, a valid date or x-date header is required for HMAC Authentication'
const SIGNATURE_NOT_VALID = 'HMAC signature cannot be verified'
const SIGNATURE_NOT_SAME = 'HMAC signature does not match'

export interface CompiledHmacAuth extends HmacAuthConfig {
  challenge: Record<string, string>
  allowed: ReadonlySet<string>
}

export function compile(conf: HmacAuthConfig): CompiledHmacAuth {
  return {
    ...conf,
    challenge: { 'WWW-Authenticate': conf.realm !== null ? `hmac realm="${conf.realm}"` : 'hmac' },
    allowed: new Set(conf.algorithms),
  }
}

type Ctx = PluginContext<CompiledHmacAuth>

function deny(ctx: Ctx, message: string, reason: string): Exit {
  return ctx.error(401, message, ctx.config.challenge, reason)
}

function dateWithinSkew(ctx: Ctx, name: string): boolean {
  const v = ctx.request.getHeader(name)
  if (v === undefined) return false
  const t = parseHttpDate(v)
  // ngx.time() is whole seconds
  return t !== null && Math.abs(Math.floor(Date.now() / 1000) - t) <= ctx.config.clock_skew
}

/** Kong's validate_params: why these parameters cannot be used (logged at debug), or null. */
function paramsProblem(p: HmacParams | null, conf: CompiledHmacAuth): string | null {
  if (!p || !p.username || !p.signature) return 'username or signature missing'
  if (conf.enforce_headers.length && conf.enforce_headers.some((h) => !p.headers.includes(h))) return 'enforced header not used for signature creation'
  if (!conf.allowed.has(p.algorithm)) return `algorithm ${p.algorithm} not supported`
  return null
}

function authenticate(ctx: Ctx): Promise<Exit | void> | Exit | void {
  const conf = ctx.config
  const req = ctx.request
  const authorization = req.getHeader('authorization')
  const proxyAuthorization = req.getHeader('proxy-authorization')
  if (authorization === undefined && proxyAuthorization === undefined) return deny(ctx, UNAUTHORIZED, 'hmac-auth.missing')
  if (!(dateWithinSkew(ctx, 'x-date') || dateWithinSkew(ctx, 'date'))) return deny(ctx, NO_DATE, 'hmac-auth.date')

  let params = parseHmacHeader(proxyAuthorization)
  if (params) {
    if (conf.hide_credentials) ctx.upstream.clearHeader('proxy-authorization')
  } else {
    params = parseHmacHeader(authorization)
    // Kong clears Authorization here whether or not it held HMAC parameters
    if (conf.hide_credentials) ctx.upstream.clearHeader('authorization')
  }
  const problem = paramsProblem(params, conf)
  if (problem || !params) {
    ctx.log.debug(problem ?? 'username or signature missing')
    return deny(ctx, SIGNATURE_NOT_VALID, 'hmac-auth.params')
  }
  const credential = ctx.entities.find('hmacauth_credentials', 'username', params.username)
  if (!credential) return deny(ctx, SIGNATURE_NOT_VALID, 'hmac-auth.unknown_user')

  const signed = signingString(params.headers, { method: req.method, uri: req.requestUri, httpVersion: req.httpVersion, header: (n) => req.getHeader(n) })
  const expected = sign(params.algorithm as Algorithm, credential.secret, signed)
  if (!signatureMatches(params.signature, expected)) return deny(ctx, SIGNATURE_NOT_SAME, 'hmac-auth.signature')

  if (!conf.validate_request_body) return identify(ctx, credential)
  return req.getBody().then(
    (body) => (digestMatches(req.getHeader('digest'), body) ? identify(ctx, credential) : deny(ctx, SIGNATURE_NOT_SAME, 'hmac-auth.digest')),
    () => deny(ctx, SIGNATURE_NOT_SAME, 'hmac-auth.digest'),
  )
}

function identify(ctx: Ctx, credential: Record<string, any> & { id: string }): void {
  // Kong identifies an hmac-auth credential by its username
  setConsumer(ctx, ctx.client.loadConsumer(credential.consumer.id), credential, credential.username)
}

export const handler: PluginHandler<CompiledHmacAuth> = {
  access(ctx) {
    return runAuth(ctx, ctx.config.anonymous, () => authenticate(ctx))
  },
}
