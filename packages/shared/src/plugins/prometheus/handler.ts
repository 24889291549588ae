// prometheus log phase: Kong's metric families and labels, counted through handles cached per route (and
// per status code and consumer), so a request costs a few Map lookups and additions, never a label string.
import type { LogSummary, PluginContext, PluginHandler } from '../../pdk/index.ts'
import type { Counter, Histogram, HistogramSeries, Registry, Series } from '../../pdk/metrics.ts'

type Entity = NonNullable<PluginContext['route']>
import type { PrometheusConfig } from './schema.ts'

// Kong's buckets (exporter.lua)
const KONG_LATENCY_BUCKETS = [1, 2, 5, 7, 10, 15, 20, 30, 50, 75, 100, 200, 500, 750, 1000, 3000, 6000]
const UPSTREAM_LATENCY_BUCKETS = [25, 50, 80, 100, 250, 400, 700, 1000, 2000, 5000, 10000, 30000, 60000]
// Kong OSS has a single workspace
const WORKSPACE = 'default'

interface Families {
  status: Counter
  kongLatency: Histogram
  upstreamLatency: Histogram
  requestLatency: Histogram
  bandwidth: Counter
}

interface RouteHandles {
  service: string
  route: string
  /** status series by consumer label, then by code * 2 + (source is the service) */
  status: Map<string, Map<number, Series>>
  kong?: HistogramSeries
  upstream?: HistogramSeries
  request?: HistogramSeries
  bandwidth: Map<string, { ingress: Series; egress: Series }>
}

const families = new WeakMap<Registry, Families>()
const handles = new WeakMap<Registry, WeakMap<Entity, RouteHandles>>()

function familiesOf(r: Registry): Families {
  let f = families.get(r)
  if (!f) {
    f = {
      status: r.counter('kong_http_requests_total', 'HTTP status codes per consumer/service/route in Kong', ['service', 'route', 'code', 'source', 'workspace', 'consumer']),
      kongLatency: r.histogram('kong_kong_latency_ms', 'Latency added by Kong and enabled plugins for each service/route in Kong', ['service', 'route', 'workspace'], KONG_LATENCY_BUCKETS),
      upstreamLatency: r.histogram('kong_upstream_latency_ms', 'Latency added by upstream response for each service/route in Kong', ['service', 'route', 'workspace'], UPSTREAM_LATENCY_BUCKETS),
      requestLatency: r.histogram('kong_request_latency_ms', 'Total latency incurred during requests for each service/route in Kong', ['service', 'route', 'workspace'], UPSTREAM_LATENCY_BUCKETS),
      bandwidth: r.counter('kong_bandwidth_bytes', 'Total bandwidth (ingress/egress) throughput in bytes', ['service', 'route', 'direction', 'workspace', 'consumer']),
    }
    families.set(r, f)
  }
  return f
}

function routeHandles(ctx: PluginContext, route: Entity): RouteHandles {
  let byRoute = handles.get(ctx.metrics)
  if (!byRoute) handles.set(ctx.metrics, (byRoute = new WeakMap()))
  let h = byRoute.get(route)
  if (!h) {
    const svc = ctx.service
    h = { service: svc ? String(svc.name ?? svc.host ?? '') : '', route: String(route.name ?? route.id), status: new Map(), bandwidth: new Map() }
    byRoute.set(route, h)
  }
  return h
}

function consumerLabel(ctx: PluginContext, conf: PrometheusConfig): string {
  if (!conf.per_consumer) return ''
  return ctx.client.getConsumer()?.username ?? ''
}

function log(ctx: PluginContext<PrometheusConfig>, s: LogSummary): void {
  const conf = ctx.config
  const route = ctx.route
  // Kong counts nothing for requests that matched no route
  if (!route) return
  const f = familiesOf(ctx.metrics)
  const h = routeHandles(ctx, route)
  if (conf.status_code_metrics) {
    const consumer = consumerLabel(ctx, conf)
    let byCode = h.status.get(consumer)
    if (!byCode) h.status.set(consumer, (byCode = new Map()))
    const key = s.status * 2 + (s.source === 'service' ? 1 : 0)
    let series = byCode.get(key)
    if (!series) byCode.set(key, (series = f.status.labels(h.service, h.route, String(s.status), s.source, WORKSPACE, consumer)))
    series.inc()
  }
  if (conf.latency_metrics) {
    h.request ??= f.requestLatency.labels(h.service, h.route, WORKSPACE)
    h.request.observe(s.latencies.total)
    if (s.source === 'service') {
      h.upstream ??= f.upstreamLatency.labels(h.service, h.route, WORKSPACE)
      h.upstream.observe(s.latencies.upstream)
    }
    h.kong ??= f.kongLatency.labels(h.service, h.route, WORKSPACE)
    h.kong.observe(s.latencies.proxy)
  }
  if (conf.bandwidth_metrics) {
    const consumer = consumerLabel(ctx, conf)
    let b = h.bandwidth.get(consumer)
    if (!b) {
      b = { ingress: f.bandwidth.labels(h.service, h.route, 'ingress', WORKSPACE, consumer), egress: f.bandwidth.labels(h.service, h.route, 'egress', WORKSPACE, consumer) }
      h.bandwidth.set(consumer, b)
    }
    const inBytes = s.requestSize
    const outBytes = s.responseSize
    if (inBytes > 0) b.ingress.inc(inBytes)
    if (outBytes > 0) b.egress.inc(outBytes)
  }
}

export const handler: PluginHandler<PrometheusConfig> = { log }
