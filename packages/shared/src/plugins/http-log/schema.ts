// http-log config (Kong 3.9): endpoint, method, headers, Kong's queue record, and custom_fields in place of
// custom_fields_by_lua.
import { z } from 'zod'
import { queueSchema } from '../_logging/queue.ts'
import { customFields, customFieldsByLua } from '../_logging/entry.ts'

const FORBIDDEN_HEADERS: [RegExp, string][] = [
  [/^host$/i, "cannot contain 'Host' header"],
  [/^content-length$/i, "cannot contain 'Content-Length' header"],
  [/^content-type$/i, "cannot contain 'Content-Type' header"],
]

/** Kong's typedefs.url: a URL with a scheme and a host. */
export const url = z.string().superRefine((v, ctx) => {
  let u: URL
  try {
    u = new URL(v)
  } catch {
    return ctx.addIssue({ code: 'custom', message: /^[a-z][a-z0-9+.-]*:/i.test(v) ? 'missing host in url' : 'missing scheme in url' })
  }
  if (!u.hostname) ctx.addIssue({ code: 'custom', message: 'missing host in url' })
})

const headerName = z.string().superRefine((h, ctx) => {
  if (!/^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/.test(h)) return ctx.addIssue({ code: 'custom', message: 'bad header name' })
  for (const [re, msg] of FORBIDDEN_HEADERS) if (re.test(h)) ctx.addIssue({ code: 'custom', message: msg })
})

export const schema = z
  .strictObject({
    http_endpoint: url,
    method: z.enum(['POST', 'PUT', 'PATCH']).default('POST'),
    content_type: z.enum(['application/json', 'application/json; charset=utf-8']).default('application/json'),
    timeout: z.number().default(10000),
    keepalive: z.number().default(60000),
    // deprecated in Kong 3.x (still accepted): the queue record replaces them
    retry_count: z.int().nullable().default(null),
    queue_size: z.int().nullable().default(null),
    flush_timeout: z.number().nullable().default(null),
    headers: z.record(headerName, z.string()).nullable().default(null),
    queue: queueSchema,
    custom_fields_by_lua: customFieldsByLua,
    custom_fields: customFields,
  })
  .superRefine((c, ctx) => {
    let userinfo = false
    try {
      userinfo = new URL(c.http_endpoint).username !== ''
    } catch {
      return
    }
    if (userinfo && c.headers && Object.keys(c.headers).some((h) => h.toLowerCase() === 'authorization'))
      ctx.addIssue({ code: 'custom', message: "specifying both an 'Authorization' header and user info in 'http_endpoint' is not allowed", path: [], params: { entity: true } })
  })
export type HttpLogConfig = z.output<typeof schema>
