// The IPC vocabulary between the proxy primary (cluster-channel subscriber) and its workers.
import type { Broadcast, ChangeEvent, HealthOverride, Snapshot } from '@postern/shared'
import type { HealthFlip } from '../balancer/registry.ts'

/** Primary → worker: the whole configuration (on start, after an admin snapshot) or the next events. */
export type ToWorker =
  | { t: 'snapshot'; snapshot: Snapshot; connected: boolean }
  | { t: 'events'; events: ChangeEvent[]; connected: boolean }
  | { t: 'connected'; connected: boolean }
  // relayed from the admin: a plugin's broadcast (proxy-cache purge) and admin-set target health
  | { t: 'broadcast'; broadcast: Broadcast; connected: boolean }
  | { t: 'health'; health: HealthOverride; connected: boolean }
  // the node's health: an address flipped (the primary's active checks, or a worker's passive ones)
  | { t: 'flip'; flip: HealthFlip; connected: boolean }
  // the primary's /metrics asks every worker for its registry
  | { t: 'metrics'; id: number; connected: boolean }

/** Worker → primary: its listeners are up, or it applied a configuration (and how much it has served). */
export type ToPrimary =
  | { t: 'hello' }
  | { t: 'listening'; proxyPorts: number[]; tlsPorts: number[] }
  | { t: 'applied'; version: number; hash: string; routes: number; requests: number }
  | { t: 'metrics'; id: number; text: string }
  // passive health checks flipped an address in this worker's traffic: the primary shares it with the others
  | { t: 'flip'; flip: HealthFlip }

export interface WorkerStatus {
  id: number
  pid: number
  configuration_version: number
  configuration_hash: string
  routes: number
  requests: number
}
