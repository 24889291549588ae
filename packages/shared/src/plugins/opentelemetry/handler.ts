// opentelemetry: in access, take the incoming trace context (W3C or B3), decide sampling and pass the
// context upstream; in the log phase, queue the request's spans for OTLP/HTTP export in batches.
import type { LogSummary, PdkTrace, PluginContext, PluginHandler } from '../../pdk/index.ts'
import { queueFor, type QueueConfig } from '../_logging/queue.ts'
import { extract, inject } from './propagation.ts'
import { exportBody, randomHex, requestSpans, resourceAttributes } from './spans.ts'
import type { Format, OpenTelemetryConfig } from './schema.ts'

// Kong's tracing_sampling_rate default, used when the plugin leaves sampling_rate unset
const DEFAULT_SAMPLING_RATE = 0.01

export interface Compiled {
  endpoint: string | null
  headers: Record<string, string>
  timeout: number
  queue: QueueConfig
  rate: number
  extract: Format[]
  inject: (Format | 'preserve')[]
  clear: string[]
  defaultFormat: Format
  traceIdHeader: string | null
  resource: ReturnType<typeof resourceAttributes>
  key: string
}

export function compile(c: OpenTelemetryConfig): Compiled {
  const p = c.propagation
  // header_type (deprecated) decides when propagation is left unset, as in Kong
  const legacy: Format[] = c.header_type === 'w3c' || c.header_type === 'b3' || c.header_type === 'b3-single' ? [c.header_type] : []
  const queue = { ...c.queue }
  if (c.batch_span_count !== null) queue.max_batch_size = c.batch_span_count
  if (c.batch_flush_delay !== null) queue.max_coalescing_delay = c.batch_flush_delay
  return {
    endpoint: c.traces_endpoint,
    headers: { 'content-type': 'application/json', ...c.headers },
    timeout: c.connect_timeout + c.send_timeout + c.read_timeout,
    queue,
    rate: c.sampling_rate ?? DEFAULT_SAMPLING_RATE,
    extract: p.extract ?? (c.header_type === 'ignore' ? [] : ['w3c', 'b3', 'b3-single']),
    inject: p.inject ?? (legacy.length ? legacy : ['preserve']),
    clear: (p.clear ?? []).map((h) => h.toLowerCase()),
    defaultFormat: p.default_format,
    traceIdHeader: c.http_response_header_for_traceid,
    resource: resourceAttributes(c.resource_attributes, '3.9.3'),
    key: JSON.stringify([c.traces_endpoint, c.headers, queue, c.resource_attributes]),
  }
}

/** Ids and sampling for this request: the parent's decision when it made one, else the sampling rate. */
function start(ctx: PluginContext<Compiled>, t: PdkTrace): NonNullable<PdkTrace['ids']> {
  if (t.ids) return t.ids
  const conf = ctx.config
  const parent = extract(ctx.request.headers, conf.extract)
  const sampled = parent?.sampled ?? Math.random() < conf.rate
  t.ids = { traceId: parent?.traceId ?? randomHex(16), rootSpanId: randomHex(8), upstreamSpanId: randomHex(8), parentSpanId: parent?.spanId ?? null, sampled }
  for (const h of conf.clear) ctx.upstream.clearHeader(h)
  const formats = conf.inject.flatMap((f) => (f === 'preserve' ? [parent?.format ?? conf.defaultFormat] : [f]))
  for (const [k, v] of Object.entries(inject([...new Set(formats)], t.ids.traceId, t.ids.upstreamSpanId, sampled))) ctx.upstream.setHeader(k, v)
  return t.ids
}

export const handler: PluginHandler<Compiled> = {
  access(ctx) {
    if (ctx.trace) start(ctx, ctx.trace)
  },
  headerFilter(ctx, res) {
    const h = ctx.config.traceIdHeader
    if (h && ctx.trace) res.headers[h.toLowerCase()] = start(ctx, ctx.trace).traceId
  },
  log(ctx, summary: LogSummary) {
    const t = ctx.trace
    const conf = ctx.config
    if (!t || !conf.endpoint) return
    const ids = start(ctx, t)
    if (!ids.sampled) return
    const spans = requestSpans(ctx, t, ids, summary, performance.now())
    const http = ctx.http
    const endpoint = conf.endpoint
    const send = async (batch: Buffer[]) => {
      const res = await http.request(endpoint, { method: 'POST', headers: conf.headers, body: exportBody(conf.resource, batch), timeoutMs: conf.timeout, verifyTls: false })
      if (res.status >= 300) throw new Error(`OTLP endpoint answered ${res.status}`)
    }
    const q = queueFor(`opentelemetry|${ctx.pluginId}|${conf.key}`, 'opentelemetry', conf.queue, send, ctx.log)
    for (const s of spans) q.add(JSON.stringify(s))
  },
}
