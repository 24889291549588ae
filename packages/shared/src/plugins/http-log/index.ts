// http-log (Kong PRIORITY 12): request and response entries sent to an HTTP endpoint in batches.
import { definePlugin } from '../../plugin.ts'
import { schema } from './schema.ts'
import { compile, handler } from './handler.ts'

export default definePlugin({ name: 'http-log', version: '1.0.0', priority: 12, schema, compile, handler })
