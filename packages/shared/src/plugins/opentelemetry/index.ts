// opentelemetry (Kong PRIORITY 14): W3C/B3 propagation and request spans exported over OTLP/HTTP (JSON).
import { definePlugin } from '../../plugin.ts'
import { schema } from './schema.ts'
import { compile, handler } from './handler.ts'

export default definePlugin({ name: 'opentelemetry', version: '1.0.0', priority: 14, schema, compile, handler })
