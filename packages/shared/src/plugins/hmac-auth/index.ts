// hmac-auth: requests signed with a per-consumer secret (Kong PRIORITY 1030).
import { definePlugin } from '../../plugin.ts'
import { schema } from './schema.ts'
import { hmacauthCredentials } from './daos.ts'
import { compile, handler } from './handler.ts'

export default definePlugin({
  name: 'hmac-auth',
  version: '1.0.0',
  priority: 1030,
  schema,
  daos: [hmacauthCredentials],
  consumerScope: false,
  compile,
  handler,
})
