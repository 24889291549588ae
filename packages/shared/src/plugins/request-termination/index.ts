// request-termination (Kong PRIORITY 2): consumer-scopable, so it also proves consumer-scoped configs.
import { definePlugin } from '../../plugin.ts'
import { schema } from './schema.ts'
import { handler } from './handler.ts'

export default definePlugin({ name: 'request-termination', version: '1.0.0', priority: 2, schema, handler })
