// kong-auth-integration: forwards an auth service's view of the caller as X-User-Payload (vechr's plugin, PRIORITY 1000).
import { definePlugin } from '../../plugin.ts'
import { schema } from './schema.ts'
import { compile } from './compile.ts'
import { handler } from './handler.ts'

export default definePlugin({
  name: 'kong-auth-integration',
  version: '0.1.0',
  priority: 1000,
  schema,
  consumerScope: false,
  protocols: ['http', 'https'],
  compile,
  handler,
})
