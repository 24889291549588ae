// oauth2: Kong's embedded OAuth 2.0 authorization server (PRIORITY 1400), with tokens shared by every proxy.
import { definePlugin } from '../../plugin.ts'
import { oauth2AuthorizationCodes, oauth2Credentials, oauth2Tokens } from './daos.ts'
import { handler } from './handler.ts'
import { schema } from './schema.ts'
import { TokenCache, type OAuth2Runtime } from './tokens.ts'

export default definePlugin({
  name: 'oauth2',
  version: '1.0.0',
  priority: 1400,
  schema,
  daos: [oauth2Credentials, oauth2AuthorizationCodes, oauth2Tokens],
  consumerScope: false,
  // A fresh cache per instance and rebuild: any admin change (a revoked token, a deleted credential) empties it.
  compile: (config): OAuth2Runtime => ({ ...config, tokens: new TokenCache() }),
  handler,
})
