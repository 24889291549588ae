// The node's health when the proxy runs workers: the primary's own BalancerRegistry follows the configuration,
// runs the active checks once for the node, takes the workers' passive flips and admin-set health, hands every
// change to every worker, and is the node's one reporter of health to the admin (Kong's workers share one shm).
import type { Worker } from 'node:cluster'
import type { HealthOverride, HealthReport, Logger, Settings } from '@postern/shared'
import { BalancerRegistry, type HealthFlip } from '../balancer/registry.ts'
import type { ConfigState } from '../runtime/state.ts'
import type { ToWorker } from './messages.ts'

export interface HealthHubOptions {
  settings: Settings
  log: Logger
  state: ConfigState
  /** Send to every live worker. */
  broadcast(m: ToWorker): void
  connected(): boolean
  report(upstreams: HealthReport['upstreams']): void
}

export class HealthHub {
  private registry: BalancerRegistry
  private scheduled = false

  constructor(private o: HealthHubOptions) {
    this.registry = new BalancerRegistry({
      dnsServers: o.settings.dnsResolver,
      log: o.log,
      report: (u) => o.report(u),
      // an active probe (or admin-set health) flipped an address here: every worker follows
      flipped: (flip) => o.broadcast({ t: 'flip', flip, connected: o.connected() }),
    })
    this.registry.sync(o.state)
  }

  /** The configuration changed: follow it (coalesced, as the workers' rebuilds are). */
  changed(): void {
    if (this.scheduled) return
    this.scheduled = true
    setImmediate(() => {
      this.scheduled = false
      this.registry.sync(this.o.state)
    })
  }

  /** Admin-set health: applied here (its flips reach the workers) and relayed as is, so workers reset their counters too. */
  admin(health: HealthOverride): void {
    this.registry.override(health)
    this.o.broadcast({ t: 'health', health, connected: this.o.connected() })
  }

  /** A worker's passive check flipped an address: the node's health changes, and every worker hears it. */
  fromWorker(flip: HealthFlip): void {
    if (this.registry.setHealth(flip)) this.o.broadcast({ t: 'flip', flip, connected: this.o.connected() })
  }

  /** A worker that just started (a replacement, say) holds every address healthy: tell it which are not. */
  welcome(w: Worker): void {
    for (const flip of this.registry.unhealthy()) w.send({ t: 'flip', flip, connected: this.o.connected() } satisfies ToWorker)
  }

  /** Report again (the cluster channel reconnected). */
  report(): void {
    this.registry.scheduleReport()
  }

  close(): void {
    this.registry.close()
  }
}
