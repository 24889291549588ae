// request-size-limiting (Kong PRIORITY 951): refuse request bodies over a size; consumer-scopable as in Kong.
import { definePlugin } from '../../plugin.ts'
import { schema } from './schema.ts'
import { compile, handler } from './handler.ts'

export default definePlugin({ name: 'request-size-limiting', version: '1.0.0', priority: 951, schema, compile, handler })
