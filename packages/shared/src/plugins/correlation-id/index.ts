// correlation-id (Kong PRIORITY 100001): runs before every other plugin so they all see the id.
import { definePlugin } from '../../plugin.ts'
import { schema } from './schema.ts'
import { compile, handler } from './handler.ts'

export default definePlugin({ name: 'correlation-id', version: '1.0.0', priority: 100001, schema, compile, handler, protocols: ['grpc', 'grpcs', 'http', 'https'] })
