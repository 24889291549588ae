// The admin's `GET /metrics` (Kong's prometheus plugin on a control plane): datastore reachability, node
// info, the config version, and what each connected proxy last reported.
import type { Hono } from 'hono'
import { PROMETHEUS_CONTENT_TYPE, Registry } from '@postern/shared'
import type { AdminDeps } from './context.ts'

interface ReportedNode {
  node_id: string
  hostname?: string
  ip?: string
  last_seen: number
  config_hash?: string
  version?: number
}

export function registerMetricsEndpoint(app: Hono, deps: AdminDeps, kongVersion: string): void {
  const registry = new Registry()
  const reachable = registry.gauge('kong_datastore_reachable', 'Datastore reachable from Kong, 0 is unreachable')
  registry.gauge('kong_node_info', 'Kong Node metadata information', ['node_id', 'version']).labels(deps.nodeId, kongVersion).set(1)
  const version = registry.gauge('postern_config_version', 'Newest configuration version in the store')
  const lastSeen = registry.gauge('kong_data_plane_last_seen', 'Last time data plane contacted control plane', ['node_id', 'hostname', 'ip'])
  const hash = registry.gauge('kong_data_plane_config_hash', 'Config hash numeric value of the data plane', ['node_id', 'hostname', 'ip'])
  const dpVersion = registry.gauge('postern_data_plane_config_version', 'Configuration version each data plane last reported', ['node_id', 'hostname', 'ip'])
  registry.onCollect(() => {
    for (const g of [lastSeen, hash, dpVersion]) g.reset()
    for (const n of deps.nodes() as ReportedNode[]) {
      const labels = [n.node_id, n.hostname ?? '', n.ip ?? ''] as const
      lastSeen.labels(...labels).set(n.last_seen)
      // Kong: the first 13 hex digits of the hash as a number (exact in a double)
      if (n.config_hash) hash.labels(...labels).set(parseInt(n.config_hash.slice(0, 13), 16) || 0)
      if (typeof n.version === 'number') dpVersion.labels(...labels).set(n.version)
    }
  })
  app.get('/metrics', async (c) => {
    try {
      version.labels().set((await deps.store.events.head()).version)
      reachable.labels().set(1)
    } catch {
      reachable.labels().set(0)
    }
    return c.body(registry.expose(), 200, { 'content-type': PROMETHEUS_CONTENT_TYPE })
  })
}
