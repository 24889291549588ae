// What oauth2-introspection tells the upstream on success: Kong's consumer headers for a mapped
// consumer, the X-Credential-* members of the introspection answer, and the configured custom claims.
import type { Consumer, PluginContext } from '../../pdk/index.ts'
import { claimHeaderValue } from '../_introspection/index.ts'
import type { Claims, OAuth2Introspection } from './compile.ts'

/** Kong 3.x's fixed mapping of RFC 7662 members to upstream headers (`username` became Identifier in 3.0). */
const CREDENTIAL_HEADERS: Array<[claim: string, header: string]> = [
  ['scope', 'x-credential-scope'],
  ['client_id', 'x-credential-client-id'],
  ['username', 'x-credential-identifier'],
  ['token_type', 'x-credential-token-type'],
  ['exp', 'x-credential-exp'],
  ['iat', 'x-credential-iat'],
  ['nbf', 'x-credential-nbf'],
  ['sub', 'x-credential-sub'],
  ['aud', 'x-credential-aud'],
  ['iss', 'x-credential-iss'],
  ['jti', 'x-credential-jti'],
]

function put(ctx: PluginContext, header: string, value: unknown): void {
  // An array (aud) becomes one comma-separated value, which HTTP treats as the repeated header Kong sends.
  const v = Array.isArray(value) ? value.map((x) => claimHeaderValue(x)).filter((x) => x !== undefined).join(', ') : claimHeaderValue(value)
  if (v === undefined || v === '') ctx.upstream.clearHeader(header)
  else ctx.upstream.setHeader(header, v)
}

export function setCredentialHeaders(ctx: PluginContext<OAuth2Introspection>, claims: Claims, consumer: Consumer | null): void {
  const up = ctx.upstream
  if (consumer) {
    up.setHeader('x-consumer-id', consumer.id)
    if (consumer.custom_id) up.setHeader('x-consumer-custom-id', consumer.custom_id)
    else up.clearHeader('x-consumer-custom-id')
    if (consumer.username) up.setHeader('x-consumer-username', consumer.username)
    else up.clearHeader('x-consumer-username')
  }
  for (const [claim, header] of CREDENTIAL_HEADERS) put(ctx, header, claims[claim])
  for (const { claim, header } of ctx.config.claims) put(ctx, header, claims[claim])
  up.clearHeader('x-anonymous-consumer')
}
