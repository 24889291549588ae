// basic-auth: username and password per consumer, checked against a salted hash (Kong PRIORITY 1100).
import { definePlugin } from '../../plugin.ts'
import { schema } from './schema.ts'
import { basicauthCredentials } from './daos.ts'
import { compile, handler } from './handler.ts'

export default definePlugin({
  name: 'basic-auth',
  version: '1.0.0',
  priority: 1100,
  schema,
  daos: [basicauthCredentials],
  consumerScope: false,
  compile,
  handler,
})
