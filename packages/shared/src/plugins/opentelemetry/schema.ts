// opentelemetry config (Kong 3.9). Propagation formats: Postern implements W3C trace context and B3 (multi
// and single header); the schema accepts only those, so an unsupported format fails at the admin.
import { z } from 'zod'
import { queueRecord } from '../_logging/queue.ts'
import { url } from '../http-log/schema.ts'

const FORMATS = ['w3c', 'b3', 'b3-single'] as const
const formats = z.enum(FORMATS, { error: `expected one of: ${FORMATS.join(', ')} (Postern implements these propagation formats)` })
const timeout = z.int().min(0).max(2147483646).default(0)

export const schema = z
  .strictObject({
    traces_endpoint: url.nullable().default(null),
    logs_endpoint: url.nullable().default(null),
    headers: z.record(z.string(), z.string()).nullable().default(null),
    resource_attributes: z.record(z.string().min(1), z.string()).nullable().default(null),
    queue: queueRecord(200),
    batch_span_count: z.int().nullable().default(null),
    batch_flush_delay: z.int().nullable().default(null),
    connect_timeout: timeout.default(1000),
    send_timeout: timeout.default(5000),
    read_timeout: timeout.default(5000),
    http_response_header_for_traceid: z.string().nullable().default(null),
    header_type: z.enum(['preserve', 'ignore', 'b3', 'b3-single', 'w3c']).default('preserve'),
    sampling_rate: z.number().min(0, { error: 'value should be between 0 and 1' }).max(1, { error: 'value should be between 0 and 1' }).nullable().default(null),
    propagation: z
      .strictObject({
        extract: z.array(formats).nullable().default(null),
        inject: z.array(z.union([z.literal('preserve'), formats])).nullable().default(null),
        clear: z.array(z.string()).nullable().default(null),
        default_format: formats.default('w3c'),
      })
      .default({ extract: null, inject: null, clear: null, default_format: 'w3c' }),
  })
  .superRefine((c, ctx) => {
    if (c.traces_endpoint === null && c.logs_endpoint === null)
      ctx.addIssue({ code: 'custom', message: "at least one of these fields must be non-empty: 'traces_endpoint', 'logs_endpoint'", path: [], params: { entity: true } })
  })
export type OpenTelemetryConfig = z.output<typeof schema>
export type Format = (typeof FORMATS)[number]
