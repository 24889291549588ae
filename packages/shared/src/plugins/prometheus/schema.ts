// prometheus config (Kong 3.9): every per-request metric family is opt-in.
import { z } from 'zod'

export const schema = z.strictObject({
  per_consumer: z.boolean().default(false),
  status_code_metrics: z.boolean().default(false),
  ai_metrics: z.boolean().default(false),
  latency_metrics: z.boolean().default(false),
  bandwidth_metrics: z.boolean().default(false),
  upstream_health_metrics: z.boolean().default(false),
})
export type PrometheusConfig = z.output<typeof schema>
