// tcp-log (Kong PRIORITY 7): one JSON entry per line (CRLF) on a kept-alive TCP or TLS connection, sent off
// the request path through a bounded queue.
import { definePlugin } from '../../plugin.ts'
import type { LogSummary, PluginContext } from '../../pdk/index.ts'
import { queueFor, queueSchema } from '../_logging/queue.ts'
import { compileCustomFields, renderEntry } from '../_logging/entry.ts'
import { sendTcp, type TcpTarget } from '../_logging/sockets.ts'
import { schema, type TcpLogConfig } from './schema.ts'

// Kong sends each entry from a timer; Postern batches what arrives together, with Kong's queue defaults
const QUEUE = queueSchema.parse({ max_batch_size: 100, max_coalescing_delay: 0, max_retry_time: 60 })

interface Compiled extends TcpTarget {
  custom: ReturnType<typeof compileCustomFields>
}

const compile = (c: TcpLogConfig): Compiled => ({ host: c.host, port: c.port, timeout: c.timeout, keepalive: c.keepalive, tls: c.tls, tlsSni: c.tls_sni, custom: compileCustomFields(c.custom_fields) })

function log(ctx: PluginContext<Compiled>, summary: LogSummary): void {
  const t = ctx.config
  queueFor(`tcp-log|${ctx.pluginId}|${t.tls}|${t.host}:${t.port}`, 'tcp-log', QUEUE, (batch) => sendTcp(t, batch), ctx.log).add(renderEntry(summary, t.custom))
}

export default definePlugin({ name: 'tcp-log', version: '1.0.0', priority: 7, schema, compile, handler: { log } })
