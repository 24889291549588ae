// Observability rows for pnpm bench: prometheus with every per-request family on, and http-log batching to
// a collector in the bench driver, each as a ratio to "postern no plugins" (issue 15's targets).
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { defineScenario, serviceWithRoute, type Scenario } from './scenarios.ts'

let collector: Server | undefined

/** A collector that drains and acknowledges every batch (runs on the load core with the driver). */
async function collectorUrl(): Promise<string> {
  if (!collector) {
    collector = createServer((req, res) => req.resume().on('end', () => res.end('ok')))
    await new Promise<void>((r) => collector!.listen(0, '127.0.0.1', () => r()))
  }
  return `http://127.0.0.1:${(collector.address() as AddressInfo).port}/logs`
}

export async function closeObservabilityRows(): Promise<void> {
  await new Promise((r) => (collector ? collector.close(r) : r(undefined)))
  collector = undefined
}

export const OBSERVABILITY_SCENARIOS: Scenario[] = [
  defineScenario({
    name: 'postern prometheus',
    target: 'postern-small',
    baseline: 'postern no plugins',
    minRatio: 0.95,
    async setup(ctx) {
      const service = await serviceWithRoute(ctx, 'prometheus')
      await ctx.admin.create(`/services/${service.id}/plugins`, {
        name: 'prometheus',
        config: { status_code_metrics: true, latency_metrics: true, bandwidth_metrics: true, per_consumer: true },
      })
      return { path: '/prometheus/hello' }
    },
  }),
  defineScenario({
    name: 'postern http-log',
    target: 'postern-small',
    baseline: 'postern no plugins',
    minRatio: 0.9,
    async setup(ctx) {
      const service = await serviceWithRoute(ctx, 'httplog')
      await ctx.admin.create(`/services/${service.id}/plugins`, {
        name: 'http-log',
        config: { http_endpoint: await collectorUrl(), queue: { max_batch_size: 1000, max_coalescing_delay: 0.2, max_entries: 100000 } },
      })
      return { path: '/httplog/hello' }
    },
  }),
]
