// udp-log (Kong PRIORITY 8): one JSON datagram per request, sent after the response.
import { z } from 'zod'
import { definePlugin } from '../../plugin.ts'
import type { LogSummary, PluginContext } from '../../pdk/index.ts'
import { compileCustomFields, customFields, customFieldsByLua, renderEntry } from '../_logging/entry.ts'
import { sendUdp } from '../_logging/sockets.ts'
import { hostField, portField } from '../tcp-log/schema.ts'

const schema = z.strictObject({
  host: hostField,
  port: portField,
  timeout: z.number().default(10000),
  custom_fields_by_lua: customFieldsByLua,
  custom_fields: customFields,
})

interface Compiled {
  host: string
  port: number
  custom: ReturnType<typeof compileCustomFields>
}

let lastError = 0

function log(ctx: PluginContext<Compiled>, summary: LogSummary): void {
  const c = ctx.config
  const entry = renderEntry(summary, c.custom)
  setImmediate(() =>
    sendUdp(c.host, c.port, entry, (e) => {
      // once a minute, not per entry
      if (Date.now() - lastError < 60_000) return
      lastError = Date.now()
      ctx.log.error('udp-log: could not send entry', { error: e.message })
    }),
  )
}

export default definePlugin({
  name: 'udp-log', version: '1.0.0', priority: 8, schema,
  compile: (c: z.output<typeof schema>): Compiled => ({ host: c.host, port: c.port, custom: compileCustomFields(c.custom_fields) }),
  handler: { log },
})
