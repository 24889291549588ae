// key-auth: API keys per consumer (Kong PRIORITY 1250).
import { definePlugin } from '../../plugin.ts'
import { schema } from './schema.ts'
import { keyauthCredentials } from './daos.ts'
import { compile, handler } from './handler.ts'

export default definePlugin({
  name: 'key-auth',
  version: '1.0.0',
  priority: 1250,
  schema,
  daos: [keyauthCredentials],
  consumerScope: false,
  compile,
  handler,
})
