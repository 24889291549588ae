// response-transformer (Kong PRIORITY 800): response headers and JSON body.
import { definePlugin } from '../../plugin.ts'
import { schema } from './schema.ts'
import { compile } from './transform.ts'
import { handler } from './handler.ts'

export default definePlugin({ name: 'response-transformer', version: '1.0.0', priority: 800, schema, compile, handler, protocols: ['grpc', 'grpcs', 'http', 'https'] })
