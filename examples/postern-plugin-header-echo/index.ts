// postern-plugin-header-echo: a complete third-party Postern plugin, loaded with
// KONG_PLUGINS=bundled,./examples/postern-plugin-header-echo (or its npm name once installed).
import { definePlugin } from '@postern/shared'
import { schema } from './schema.ts'
import { compile, handler } from './handler.ts'

export default definePlugin({
  name: 'header-echo',
  version: '1.0.0',
  // runs after the auth plugins (key-auth 1250, jwt 1450), so a refused request is not echoed
  priority: 900,
  schema,
  compile,
  handler,
})
