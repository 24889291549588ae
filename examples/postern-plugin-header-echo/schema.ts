// header-echo config: which request headers to echo, under what prefix, and whether they are required.
import { z } from 'zod'

export const schema = z.strictObject({
  /** Request headers to copy onto the response (case-insensitive). */
  headers: z.array(z.string().min(1)).min(1).default(['x-request-id']),
  /** Prefix of the response header names: `X-Echo-` turns `x-request-id` into `X-Echo-x-request-id`. */
  prefix: z.string().min(1).default('X-Echo-'),
  /** Answer 400 when one of the headers is missing, instead of passing the request on. */
  required: z.boolean().default(false),
  /** Also tell the upstream the plugin ran, in this request header (null: do not). */
  upstream_header: z.string().min(1).nullable().default(null),
})

export type HeaderEchoConfig = z.output<typeof schema>
