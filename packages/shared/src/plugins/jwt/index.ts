// jwt: signed tokens verified against per-consumer secrets, PEM keys or JWKS (Kong PRIORITY 1450).
import { definePlugin } from '../../plugin.ts'
import { schema } from './schema.ts'
import { jwtSecrets } from './daos.ts'
import { compile, handler } from './handler.ts'

export default definePlugin({
  name: 'jwt',
  version: '1.0.0',
  priority: 1450,
  schema,
  daos: [jwtSecrets],
  consumerScope: false,
  protocols: ['grpc', 'grpcs', 'http', 'https'],
  compile,
  handler,
})
