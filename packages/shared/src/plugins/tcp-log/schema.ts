// tcp-log config (Kong 3.9); custom_fields replaces custom_fields_by_lua.
import { z } from 'zod'
import { customFields, customFieldsByLua } from '../_logging/entry.ts'

export const hostField = z.string().min(1).regex(/^[A-Za-z0-9.:_\-[\]]+$/, { error: 'invalid value' })
export const portField = z.int({ error: 'expected an integer' }).min(0, { error: 'value should be between 0 and 65535' }).max(65535, { error: 'value should be between 0 and 65535' })

export const schema = z.strictObject({
  host: hostField,
  port: portField,
  timeout: z.number().default(10000),
  keepalive: z.number().default(60000),
  tls: z.boolean().default(false),
  tls_sni: z.string().nullable().default(null),
  custom_fields_by_lua: customFieldsByLua,
  custom_fields: customFields,
})
export type TcpLogConfig = z.output<typeof schema>
