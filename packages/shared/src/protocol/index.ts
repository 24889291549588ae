// The cluster protocol: change events and snapshots the admin sends and the proxies apply.
import type { Entity } from '../entity.ts'

/** One committed change. `version` is strictly increasing; `hash` chains the previous event's hash. */
export interface ChangeEvent {
  version: number
  hash: string
  /** Entity (table) name: `services`, `routes`, `keyauth_credentials`, ... */
  entity: string
  op: 'create' | 'update' | 'delete'
  id: string
  /** The full entity after create/update; `{ id }` on delete. */
  payload: Entity | { id: string }
}

/** The whole configuration at one version. */
export interface Snapshot {
  version: number
  hash: string
  entities: Record<string, Entity[]>
}

/** Messages on the cluster stream (SSE `event:` names). */
export type ClusterMessage =
  | { type: 'snapshot'; snapshot: Snapshot }
  | { type: 'events'; events: ChangeEvent[] }
  | { type: 'heartbeat'; version: number; hash: string }
  | { type: 'broadcast'; broadcast: Broadcast }

/**
 * A message for every connected proxy that is not a configuration change (SSE `event: broadcast`), handed
 * to the named plugin's `onBroadcast`. Not versioned nor replayed: a proxy that is not connected misses it.
 */
export interface Broadcast {
  plugin: string
  data: unknown
}

/** What a proxy reports about itself (admin `/status` lists these). */
export interface NodeReport {
  node_id: string
  hostname: string
  version: number
  hash: string
}

export const CLUSTER_PATH = '/v1/stream'
export const CLUSTER_REPORT_PATH = '/v1/report'
export const CLUSTER_SNAPSHOT_PATH = '/v1/snapshot'

/** Proxy → admin: the health each proxy's balancers see, per upstream id and target (`host:port`). */
export const CLUSTER_HEALTH_PATH = '/v1/health'

export interface AddressHealth {
  ip: string
  port: number
  /** `HEALTHY`, `UNHEALTHY` or `HEALTHCHECKS_OFF` (Kong's words). */
  health: string
  weight: number
}

export interface TargetHealth {
  /** `OK`, or Kong's DNS error text when the name did not resolve. */
  dns: string
  addresses: AddressHealth[]
}

export interface HealthReport {
  node_id: string
  /** upstream id → target → what this proxy sees. */
  upstreams: Record<string, Record<string, TargetHealth>>
}

/** Admin → proxies (SSE `health` event): Kong's `PUT /upstreams/{u}/targets/{t}[/{address}]/(un)healthy`. */
export interface HealthOverride {
  upstream_id: string
  target: string
  /** `ip:port`, or null for every address of the target. */
  address: string | null
  healthy: boolean
}
