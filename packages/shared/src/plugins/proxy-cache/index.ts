// proxy-cache (Kong PRIORITY 100): memory strategy per proxy; purges arrive from the admin as a broadcast.
import { definePlugin } from '../../plugin.ts'
import { schema } from './schema.ts'
import { compile, handler } from './handler.ts'
import { purge } from './memory.ts'

export default definePlugin({
  name: 'proxy-cache',
  version: '1.0.0',
  priority: 100,
  schema,
  compile,
  handler,
  protocols: ['grpc', 'grpcs', 'http', 'https'],
  // `{ key }` from the admin's /proxy-cache endpoints: one entry, or everything when key is null
  onBroadcast(data) {
    const key = (data as { key?: unknown } | null)?.key
    purge(typeof key === 'string' ? key : null)
  },
})
