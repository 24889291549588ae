// The IPC vocabulary between the proxy primary (cluster-channel subscriber) and its workers.
import type { ChangeEvent, Snapshot } from '@postern/shared'

/** Primary → worker: the whole configuration (on start, after an admin snapshot) or the next events. */
export type ToWorker = { t: 'snapshot'; snapshot: Snapshot; connected: boolean } | { t: 'events'; events: ChangeEvent[]; connected: boolean } | { t: 'connected'; connected: boolean }

/** Worker → primary: its listeners are up, or it applied a configuration (and how much it has served). */
export type ToPrimary =
  | { t: 'hello' }
  | { t: 'listening'; proxyPorts: number[]; tlsPorts: number[] }
  | { t: 'applied'; version: number; hash: string; routes: number; requests: number }

export interface WorkerStatus {
  id: number
  pid: number
  configuration_version: number
  configuration_hash: string
  routes: number
  requests: number
}
