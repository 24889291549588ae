// request-size-limiting config (Kong 3.9): allowed_payload_size in size_unit, require_content_length.
import { z } from 'zod'

export const SIZE_UNITS = ['megabytes', 'kilobytes', 'bytes'] as const

export const schema = z.strictObject({
  allowed_payload_size: z.int({ error: (i) => (i.input === null ? 'required field missing' : 'expected an integer') }).default(128),
  size_unit: z.enum(SIZE_UNITS, { error: (i) => (i.input === null ? 'required field missing' : undefined) }).default('megabytes'),
  require_content_length: z.boolean().default(false),
})
export type RequestSizeLimitingConfig = z.output<typeof schema>
