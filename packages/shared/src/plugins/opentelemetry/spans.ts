// OTLP/HTTP JSON encoding of one request's spans (opentelemetry-proto's JSON mapping: hex ids, nanosecond
// times as strings): the root `kong` span, `kong.router`, one `kong.access.plugin.<name>` per access phase,
// and `kong.balancer` for the upstream exchange, as Kong's tracing instrumentations name them.
import type { LogSummary, PdkTrace, PluginContext } from '../../pdk/index.ts'

const KIND_INTERNAL = 1
const KIND_SERVER = 2
const KIND_CLIENT = 3

type Attr = { key: string; value: { stringValue: string } | { intValue: string } }

export interface OtlpSpan {
  traceId: string
  spanId: string
  parentSpanId: string
  name: string
  kind: number
  startTimeUnixNano: string
  endTimeUnixNano: string
  attributes: Attr[]
  status: { code: number }
}

const str = (key: string, v: string): Attr => ({ key, value: { stringValue: v } })
const int = (key: string, v: number): Attr => ({ key, value: { intValue: String(v) } })

export function randomHex(bytes: number): string {
  let out = ''
  for (let i = 0; i < bytes; i++) out += ((Math.random() * 256) | 0).toString(16).padStart(2, '0')
  return /^0+$/.test(out) ? randomHex(bytes) : out
}

/** Epoch nanoseconds of a performance.now() time, as a decimal string. */
function nanos(t: PdkTrace, perf: number): string {
  const ms = t.startedAt + (perf - t.start)
  return (BigInt(Math.round(ms * 1000)) * 1000n).toString()
}

export function requestSpans(ctx: PluginContext, t: PdkTrace, ids: NonNullable<PdkTrace['ids']>, summary: LogSummary, end: number): OtlpSpan[] {
  const r = ctx.request
  const span = (spanId: string, parent: string, name: string, kind: number, start: number, stop: number, attributes: Attr[] = [], error = false): OtlpSpan => ({
    traceId: ids.traceId, spanId, parentSpanId: parent, name, kind,
    startTimeUnixNano: nanos(t, start), endTimeUnixNano: nanos(t, Math.max(stop, start)), attributes, status: { code: error ? 2 : 0 },
  })
  const root = span(ids.rootSpanId, ids.parentSpanId ?? '', 'kong', KIND_SERVER, t.start, end, [
    str('http.method', r.method), str('http.scheme', r.scheme), str('http.host', r.host), str('http.target', r.path + (r.rawQuery ? `?${r.rawQuery}` : '')),
    str('http.flavor', '1.1'), str('net.peer.ip', r.clientIp), int('http.status_code', summary.status),
    ...(ctx.route ? [str('kong.route.id', ctx.route.id), str('kong.route.name', String(ctx.route.name ?? ''))] : []),
    ...(ctx.service ? [str('kong.service.id', ctx.service.id), str('kong.service.name', String(ctx.service.name ?? ''))] : []),
  ], summary.status >= 500)
  const spans = [root, span(randomHex(8), ids.rootSpanId, 'kong.router', KIND_INTERNAL, t.start, t.routed)]
  for (const p of t.phases) spans.push(span(randomHex(8), ids.rootSpanId, `kong.access.plugin.${p.name}`, KIND_INTERNAL, p.start, p.end || p.start))
  if (t.upstreamStart !== undefined) {
    const svc = ctx.service
    spans.push(span(ids.upstreamSpanId, ids.rootSpanId, 'kong.balancer', KIND_CLIENT, t.upstreamStart, t.upstreamEnd ?? end, [
      ...(svc ? [str('net.peer.name', String(svc.host)), int('net.peer.port', Number(svc.port))] : []),
      int('http.status_code', summary.status), str('peer.service', String(svc?.name ?? '')),
    ], summary.source !== 'service'))
  }
  return spans
}

/** One export request body for a batch of spans (each queue entry is one request's spans as JSON). */
export function exportBody(resource: Attr[], batch: readonly (string | Buffer)[]): string {
  return `{"resourceSpans":[{"resource":{"attributes":${JSON.stringify(resource)}},"scopeSpans":[{"scope":{"name":"kong-internal","version":"0.1.0"},"spans":[${batch.join(',')}]}]}]}`
}

export function resourceAttributes(extra: Record<string, string> | null, nodeVersion: string): Attr[] {
  const attrs: Record<string, string> = { 'service.name': 'kong', 'service.version': nodeVersion, ...extra }
  return Object.entries(attrs).map(([k, v]) => str(k, v))
}
