// proxy-cache config (Kong 3.9): what is cacheable (codes, methods, content types), TTLs, Cache-Control,
// the cache key's vary parts, the memory strategy's dictionary and the diagnostic response headers.
import { z } from 'zod'
import { DICTIONARY_SIZES } from './memory.ts'

const between = z.int({ error: 'expected an integer' }).min(100, { error: 'value should be between 100 and 900' }).max(900, { error: 'value should be between 100 and 900' })

export const schema = z
  .strictObject({
    response_code: z.array(between).min(1, { error: 'length must be at least 1' }).default([200, 301, 404]),
    request_method: z.array(z.enum(['HEAD', 'GET', 'POST', 'PATCH', 'PUT'])).default(['GET', 'HEAD']),
    content_type: z.array(z.string()).default(['text/plain', 'application/json']),
    cache_ttl: z.int().gt(0, { error: 'value must be greater than 0' }).default(300),
    strategy: z.enum(['memory'], { error: (i) => (i.input === undefined || i.input === null ? 'required field missing' : undefined) }),
    cache_control: z.boolean().default(false),
    ignore_uri_case: z.boolean().default(false),
    storage_ttl: z.int().nullable().default(null),
    memory: z.strictObject({ dictionary_name: z.string().default('kong_db_cache') }).prefault({}),
    vary_query_params: z.array(z.string()).nullable().default(null),
    vary_headers: z.array(z.string()).nullable().default(null),
    response_headers: z
      .strictObject({ age: z.boolean().default(true), 'X-Cache-Status': z.boolean().default(true), 'X-Cache-Key': z.boolean().default(true) })
      .prefault({}),
  })
  .superRefine((c, ctx) => {
    // Kong checks that the nginx shared dict exists; ours are Kong's dicts, sized as Kong's template sizes them
    if (c.strategy === 'memory' && !(c.memory.dictionary_name in DICTIONARY_SIZES))
      ctx.addIssue({ code: 'custom', message: `missing shared dict '${c.memory.dictionary_name}'`, path: [], params: { entity: true } })
  })
export type ProxyCacheConfig = z.output<typeof schema>
