// request-transformer (Kong PRIORITY 801): rewrite the request sent upstream.
import { definePlugin } from '../../plugin.ts'
import { schema } from './schema.ts'
import { compile } from './compile.ts'
import { handler } from './handler.ts'

export default definePlugin({ name: 'request-transformer', version: '1.0.0', priority: 801, schema, compile, handler, protocols: ['grpc', 'grpcs', 'http', 'https'] })
