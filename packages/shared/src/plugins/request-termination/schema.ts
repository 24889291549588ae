// request-termination config (Kong 3.9): answer with a fixed status and message or body.
import { z } from 'zod'

export const schema = z
  .strictObject({
    status_code: z.int().min(100, { error: 'value should be between 100 and 599' }).max(599, { error: 'value should be between 100 and 599' }).default(503),
    message: z.string().nullable().default(null),
    body: z.string().nullable().default(null),
    content_type: z.string().nullable().default(null),
    trigger: z.string().nullable().default(null),
    echo: z.boolean().default(false),
  })
  .superRefine((c, ctx) => {
    if (c.message !== null && (c.body !== null || c.content_type !== null))
      ctx.addIssue({ code: 'custom', message: "message cannot be used with content_type or body", path: [], params: { entity: true } })
  })
export type RequestTerminationConfig = z.output<typeof schema>
