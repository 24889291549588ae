// oauth2 access phase: paths ending in /oauth2/{authorize,token} (and the opt-in introspect/revoke) are answered
// here and never proxied; every other request must carry a valid bearer token.
import type { Exit, PluginHandler } from '../../pdk/index.ts'
import { bearerAccess } from './access.ts'
import { authorizeEndpoint } from './authorize-endpoint.ts'
import { bearerChallenge, invalidMethod, oauthError } from './messages.ts'
import { introspectionEndpoint, revocationEndpoint } from './rfc-endpoints.ts'
import { tokenEndpoint } from './token-endpoint.ts'
import type { Ctx, OAuth2Runtime } from './tokens.ts'

interface Endpoint {
  /** Name in the 405 description ("... is invalid for the token endpoint"). */
  name: string
  answer: (ctx: Ctx) => Promise<Exit>
  enabled?: (conf: OAuth2Runtime) => boolean
}

const ENDPOINTS: Record<string, Endpoint> = {
  '/oauth2/token': { name: 'token', answer: tokenEndpoint },
  '/oauth2/authorize': { name: 'authorization', answer: authorizeEndpoint },
  '/oauth2/introspect': { name: 'introspection', answer: introspectionEndpoint, enabled: (c) => c.enable_introspection_endpoint },
  '/oauth2/revoke': { name: 'revocation', answer: revocationEndpoint, enabled: (c) => c.enable_revocation_endpoint },
}

/** The endpoint a path ends with, one trailing slash allowed (`/stepon/oauth2/token/`), as Kong matches it. */
function endpointOf(path: string, conf: OAuth2Runtime): Endpoint | undefined {
  const p = path.endsWith('/') ? path.slice(0, -1) : path
  const i = p.lastIndexOf('/oauth2/')
  const e = i < 0 ? undefined : ENDPOINTS[p.slice(i)]
  return e && (!e.enabled || e.enabled(conf)) ? e : undefined
}

export const handler: PluginHandler<OAuth2Runtime> = {
  access(ctx) {
    const endpoint = endpointOf(ctx.request.path, ctx.config)
    if (!endpoint) return bearerAccess(ctx)
    const method = ctx.request.method
    if (method === 'POST') return endpoint.answer(ctx)
    const description = invalidMethod(method, endpoint.name)
    const challenge = bearerChallenge(ctx.config.realm, 'invalid_method', description)
    return ctx.exit(405, oauthError('invalid_method', description), { 'www-authenticate': challenge }, 'oauth2.invalid_method')
  },
}
