// The proxy's own metrics, always on (Kong's need the prometheus plugin; these go beyond Kong): why auth
// plugins refused, the applied config version and how long applying it took, and Kong's node-level gauges.
import { authFailure, type Counter, type Entity, type Exit, type Gauge, type Histogram, type Registry, type Series } from '@postern/shared'

const APPLY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]

export class ProxyMetrics {
  private readonly authFailures: Counter
  private readonly configVersion: Gauge
  private readonly applySeconds: Histogram
  /** One handle per (route, exit reason): a denial is counted with one Map lookup. */
  private readonly handles = new WeakMap<object, Map<string, Series>>()
  private readonly noRoute = {}

  constructor(readonly registry: Registry, nodeId: string, version: string, connections: () => { active: number; total: number }) {
    this.authFailures = registry.counter('postern_auth_failures_total', 'Requests refused by an authentication or authorization plugin, by plugin and reason', ['plugin', 'reason', 'service', 'route'])
    this.configVersion = registry.gauge('postern_config_version', 'Configuration version this proxy serves')
    this.applySeconds = registry.histogram('postern_config_apply_seconds', 'Time to build and swap in a new configuration', [], APPLY_BUCKETS)
    registry.gauge('kong_node_info', 'Kong Node metadata information', ['node_id', 'version']).labels(nodeId, version).set(1)
    const conns = registry.gauge('kong_nginx_connections_total', 'Number of connections by subsystem', ['node_id', 'subsystem', 'state'])
    const requests = registry.gauge('kong_nginx_requests_total', 'Number of requests total', ['node_id', 'subsystem'])
    const memory = registry.gauge('kong_memory_workers_lua_vms_bytes', 'Allocated bytes in worker Lua VM', ['node_id', 'pid', 'kong_subsystem'])
    let handled = 0
    this.countRequest = () => void handled++
    registry.onCollect(() => {
      const c = connections()
      conns.labels(nodeId, 'http', 'active').set(c.active)
      conns.labels(nodeId, 'http', 'total').set(c.total)
      requests.labels(nodeId, 'http').set(handled)
      // Node's heap stands in for the Lua VMs' allocations
      memory.labels(nodeId, String(process.pid), 'http').set(process.memoryUsage().heapUsed)
    })
  }

  /** Called once per request (a counter increment). */
  readonly countRequest: () => void

  /** Count a plugin's refusal when its reason is an authentication or authorization one. */
  exit(exit: Exit, route: Entity | null, service: Entity | null): void {
    if (!exit.reason || (exit.status !== 401 && exit.status !== 403 && exit.status < 500)) return
    const key = route ?? this.noRoute
    let byReason = this.handles.get(key)
    if (!byReason) this.handles.set(key, (byReason = new Map()))
    let series = byReason.get(exit.reason)
    if (!series) {
      const { plugin, reason } = authFailure(exit.reason)
      series = this.authFailures.labels(plugin, reason, service ? (service.name ?? service.host) : '', route ? (route.name ?? route.id) : '')
      byReason.set(exit.reason, series)
    }
    series.inc()
  }

  /**
   * Kong's kong_upstream_target_health{upstream,target,address,state,subsystem}: one series per state, 1 for the
   * current one, filled at each scrape while some prometheus instance asks for it (upstream_health_metrics).
   */
  upstreamHealth(source: () => { enabled: boolean; targets: { upstream: string; target: string; address: string; state: string }[] }): void {
    const g = this.registry.gauge('kong_upstream_target_health', 'Health status of targets of upstream. States = healthchecks_off|healthy|unhealthy|dns_error, value is 1 when state is populated.', ['upstream', 'target', 'address', 'state', 'subsystem'])
    const STATES = ['healthchecks_off', 'healthy', 'unhealthy', 'dns_error']
    this.registry.onCollect(() => {
      g.reset()
      const { enabled, targets } = source()
      if (!enabled) return
      for (const t of targets) for (const s of STATES) g.labels(t.upstream, t.target, t.address, s, 'http').set(s === t.state ? 1 : 0)
    })
  }

  applied(version: number, seconds: number): void {
    this.configVersion.labels().set(version)
    this.applySeconds.labels().observe(seconds)
  }
}
