// oauth2-introspection: validates tokens at an RFC 7662 endpoint (Kong Enterprise's plugin, PRIORITY 1700).
import { definePlugin } from '../../plugin.ts'
import { schema } from './schema.ts'
import { compile } from './compile.ts'
import { handler } from './handler.ts'

export default definePlugin({
  name: 'oauth2-introspection',
  version: '1.0.0',
  priority: 1700,
  schema,
  consumerScope: false,
  compile,
  handler,
})
