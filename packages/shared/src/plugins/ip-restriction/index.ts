// ip-restriction (Kong PRIORITY 990): allow or deny clients by address; consumer-scopable as in Kong.
import { definePlugin } from '../../plugin.ts'
import { schema } from './schema.ts'
import { compile, handler } from './handler.ts'

export default definePlugin({
  name: 'ip-restriction',
  version: '1.0.0',
  priority: 990,
  schema,
  protocols: ['http', 'https', 'tcp', 'tls', 'grpc', 'grpcs'],
  compile,
  handler,
})
