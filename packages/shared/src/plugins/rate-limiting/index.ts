// rate-limiting: requests per second … year per consumer, credential, IP, service, header or path (Kong PRIORITY 910).
import { definePlugin } from '../../plugin.ts'
import { schema } from './schema.ts'
import { ratelimitingMetrics } from './daos.ts'
import { compile, handler } from './handler.ts'

export default definePlugin({
  name: 'rate-limiting',
  version: '1.0.0',
  priority: 910,
  schema,
  daos: [ratelimitingMetrics],
  protocols: ['grpc', 'grpcs', 'http', 'https'],
  compile,
  handler,
})
