// cors (Kong PRIORITY 2000, above every auth plugin so preflights are answered first); no_consumer as in Kong.
import { definePlugin } from '../../plugin.ts'
import { schema } from './schema.ts'
import { compile, handler } from './handler.ts'

export default definePlugin({ name: 'cors', version: '1.0.0', priority: 2000, schema, consumerScope: false, compile, handler })
