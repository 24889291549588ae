// prometheus (Kong PRIORITY 13): Kong's metrics on the proxy's status listener and admin `/metrics`.
import { definePlugin } from '../../plugin.ts'
import { schema } from './schema.ts'
import { handler } from './handler.ts'

export default definePlugin({ name: 'prometheus', version: '1.0.0', priority: 13, schema, handler })
