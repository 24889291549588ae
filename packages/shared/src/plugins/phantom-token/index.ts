// phantom-token: exchanges an opaque access token for a JWT at the IdP (Curity's plugin, PRIORITY 1000).
import { definePlugin } from '../../plugin.ts'
import { schema } from './schema.ts'
import { compile } from './compile.ts'
import { handler } from './handler.ts'

export default definePlugin({
  name: 'phantom-token',
  version: '2.0.1',
  priority: 1000,
  schema,
  consumerScope: false,
  protocols: ['http', 'https'],
  compile,
  handler,
})
