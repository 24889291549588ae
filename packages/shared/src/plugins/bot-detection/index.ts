// bot-detection (Kong PRIORITY 2500): refuse known bots by User-Agent; not consumer-scopable (no_consumer).
import { definePlugin } from '../../plugin.ts'
import { schema } from './schema.ts'
import { compile, handler } from './handler.ts'

export default definePlugin({ name: 'bot-detection', version: '1.0.0', priority: 2500, schema, consumerScope: false, compile, handler })
