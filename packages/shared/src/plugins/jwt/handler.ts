// jwt access phase (Kong's jwt handler, in our words): find the token, decode it, look up the credential
// by its key claim, verify the signature (once per token, then cached), check claims, set the consumer.
import type { Exit, PluginContext, PluginHandler } from '../../pdk/index.ts'
import { runAuth, setConsumer } from '../../pdk/auth.ts'
import { VerifiedCache, type Verified } from './cache.ts'
import { checkClaims, checkMaximumExpiration, nowSeconds } from './claims.ts'
import { JwksCache } from './jwks.ts'
import { keysFor, type Credential } from './keys.ts'
import { parseToken } from './parse.ts'
import { findToken, hideToken } from './token.ts'
import { verifySignature } from './verify.ts'
import type { JwtConfig } from './schema.ts'

const UNAUTHORIZED = 'Unauthorized'
const MULTIPLE_TOKENS = 'Multiple tokens provided'
const UNRECOGNIZABLE = 'Unrecognizable token'
const BAD_TOKEN = 'Bad token; ' // + the parser's reason
const INVALID_ALGORITHM = 'Invalid algorithm'
const INVALID_KEY_SECRET = 'Invalid key/secret'
const INVALID_SIGNATURE = 'Invalid signature'
const WWW_AUTHENTICATE = 'WWW-Authenticate'
const JWKS_FETCH_TIMEOUT_MS = 5000
const noMandatoryClaim = (name: string) => `No mandatory '${name}' in claims`
const invalidClaim = (name: string) => `Invalid '${name}' in claims`
const noCredentials = (name: string) => `No credentials found for given '${name}'`
const noConsumer = (name: string, value: string) => `Could not find consumer for '${name}=${value}'`

export interface JwtCompiled extends JwtConfig {
  /** `Bearer` or `Bearer realm="r"`: only for "no token at all". */
  challenge: string
  /** Kong master's comma form: `Bearer realm="r", error="invalid_token"`. */
  errorChallenge: string
  verified: VerifiedCache
}

export function compile(config: JwtConfig): JwtCompiled {
  const challenge = config.realm === null ? 'Bearer' : `Bearer realm="${config.realm}"`
  const errorChallenge = config.realm === null ? 'Bearer error="invalid_token"' : `${challenge}, error="invalid_token"`
  // header names lower-cased once here, as node keys request headers (findToken reads them as they are)
  return { ...config, header_names: config.header_names.map((n) => n.toLowerCase()), challenge, errorChallenge, verified: new VerifiedCache() }
}

// Key sets outlive config rebuilds (the issuer's keys do not change when a route does), so they are
// held per process, created with the proxy's http client on first use.
let jwks: JwksCache | undefined
function jwksCache(ctx: PluginContext): JwksCache {
  const { http, log } = ctx
  return (jwks ??= new JwksCache((url) => http.request(url, { headers: { accept: 'application/json' }, timeoutMs: JWKS_FETCH_TIMEOUT_MS }), log))
}

function deny(ctx: PluginContext<JwtCompiled>, body: unknown, reason: string, challenge = ctx.config.errorChallenge): Exit {
  return ctx.exit(401, typeof body === 'string' ? { message: body } : body, { [WWW_AUTHENTICATE]: challenge }, reason)
}

/** Steps 2–7 of Kong's pipeline: from token text to a verified credential, or the denial. */
async function verifyToken(ctx: PluginContext<JwtCompiled>, token: string): Promise<Verified | Exit> {
  const conf = ctx.config
  const parsed = parseToken(token)
  if (typeof parsed === 'string') return deny(ctx, BAD_TOKEN + parsed, 'jwt.malformed')
  const { header, claims } = parsed
  const name = conf.key_claim_name
  let keyClaim = claims[name]
  if (keyClaim === undefined || keyClaim === false) keyClaim = header[name]
  if (keyClaim === undefined || keyClaim === false) return deny(ctx, noMandatoryClaim(name), 'jwt.no_key_claim')
  // Kong answers 500 for a non-string claim (an `aud` array); spec §1.6 recommends this 401
  if (typeof keyClaim !== 'string' || keyClaim === '') return deny(ctx, invalidClaim(name), 'jwt.invalid_key_claim')
  const credential = ctx.entities.find('jwt_secrets', 'key', keyClaim) as Credential | undefined
  if (!credential) return deny(ctx, noCredentials(name), 'jwt.no_credential')
  const alg = header.alg
  if (alg !== (credential.algorithm ?? 'HS256')) return deny(ctx, INVALID_ALGORITHM, 'jwt.algorithm_mismatch')
  const kid = typeof header.kid === 'string' ? header.kid : undefined
  const keys = await keysFor(credential, alg, kid, {
    secretIsBase64: conf.secret_is_base64,
    jwksUri: conf.jwks_uri,
    refreshInterval: conf.jwks_refresh_interval,
    cooldown: conf.jwks_refetch_cooldown,
  }, jwksCache(ctx))
  if (keys === 'missing') return deny(ctx, INVALID_KEY_SECRET, 'jwt.invalid_key')
  for (const key of keys.keys) {
    if (await verifySignature(token, alg, key)) return { credential, claims, keySet: keys.keySet }
  }
  return deny(ctx, INVALID_SIGNATURE, 'jwt.bad_signature')
}

/** A cached token is handled synchronously; only a first sight of a token waits for verification. */
function authenticate(ctx: PluginContext<JwtCompiled>): Promise<Exit | void> | Exit | void {
  const conf = ctx.config
  const found = findToken(conf, ctx.request)
  if (found.kind === 'none') return deny(ctx, UNAUTHORIZED, 'jwt.missing', conf.challenge)
  if (found.kind === 'multiple') return deny(ctx, MULTIPLE_TOKENS, 'jwt.multiple')
  if (found.kind === 'unrecognizable') return deny(ctx, UNRECOGNIZABLE, 'jwt.unrecognizable')
  const { token } = found
  const cacheKey = VerifiedCache.keyOf(token)
  let verified = conf.verified.get(cacheKey)
  // a JWKS-verified entry holds only while the issuer still publishes the same key set
  if (verified?.keySet && jwksCache(ctx).current(verified.keySet.uri) !== verified.keySet.set) verified = undefined
  if (verified) return accept(ctx, found, verified)
  return verifyToken(ctx, token).then((result) => {
    if ('exit' in result) return result
    conf.verified.set(cacheKey, result, result.claims.exp)
    return accept(ctx, found, result)
  })
}

/** Claims (checked on every request, cached or not), then the consumer and the upstream headers. */
function accept(ctx: PluginContext<JwtCompiled>, found: Extract<ReturnType<typeof findToken>, { kind: 'token' }>, verified: Verified): Exit | void {
  const conf = ctx.config
  const { credential, claims } = verified
  const now = nowSeconds()
  const claimErrors = checkClaims(claims, conf, now) ?? checkMaximumExpiration(claims, conf.maximum_expiration, now)
  if (claimErrors) return deny(ctx, claimErrors, claimErrors.exp === 'token expired' ? 'jwt.expired' : claimErrors.iss ? 'jwt.wrong_issuer' : 'jwt.claims')
  const consumer = ctx.client.loadConsumer(credential.consumer.id)
  if (!consumer) {
    // unreachable while deletes cascade; Kong sends no challenge here
    const keyClaim = String(credential.key)
    return ctx.exit(401, { message: noConsumer(conf.key_claim_name, keyClaim) }, undefined, 'jwt.no_consumer')
  }
  // Kong's X-Credential-Identifier for jwt is the credential's key, not its id
  setConsumer(ctx, consumer, credential, String(credential.key))
  ctx.shared.authenticated_jwt_token = found.token
  if (conf.hide_credentials) hideToken(found, ctx.request, ctx.upstream)
}

export const handler: PluginHandler<JwtCompiled> = {
  access(ctx) {
    if (!ctx.config.run_on_preflight && ctx.request.method === 'OPTIONS') return
    return runAuth(ctx, ctx.config.anonymous, () => authenticate(ctx))
  },
}
