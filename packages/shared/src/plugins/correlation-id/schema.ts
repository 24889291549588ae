// correlation-id config (Kong 3.9): header name, id generator, and whether to echo the id to the client.
import { z } from 'zod'

export const schema = z.strictObject({
  header_name: z.string().default('Kong-Request-ID'),
  generator: z.enum(['uuid', 'uuid#counter', 'tracker']).default('uuid#counter'),
  echo_downstream: z.boolean().default(false),
})
export type CorrelationIdConfig = z.output<typeof schema>
