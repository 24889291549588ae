// response-transformer config (Kong 3.9): remove/rename/replace/add/append of response headers and JSON body keys.
import { z } from 'zod'
import { withCheck } from '../../typedefs.ts'

const HEADER_NAME = /^[a-zA-Z0-9\-_]+$/
const PAIR = /^([^:]+):*(.*)$/s

/** Kong's `name:value` split: the name runs to the first colon, further colons are skipped. */
export function splitPair(s: string): [string, string] {
  const m = PAIR.exec(s)
  return m ? [m[1], m[2]] : [s, '']
}

const strings = z.array(z.string()).default([])
const colonStrings = z.array(z.string().regex(/^[^:]+:.*$/s)).default([])
// rename.headers: both names must be valid header names (Kong's validate_colon_headers)
const colonHeaders = z
  .array(
    withCheck(z.string().regex(/^[^:]+:.*$/s), (s: string) => {
      const [name, value] = splitPair(s)
      if (!HEADER_NAME.test(name)) return `'${name}' is not a valid header`
      if (!HEADER_NAME.test(value)) return `'${value}' is not a valid header`
      return null
    }) as z.ZodType<string>,
  )
  .default([])
const jsonTypes = z.array(z.enum(['boolean', 'number', 'string'])).default([])

const obj = <T extends z.ZodRawShape>(shape: T) => z.strictObject(shape).prefault({} as any)

export const schema = z.strictObject({
  remove: obj({ json: strings, headers: strings }),
  rename: obj({ json: colonStrings, headers: colonHeaders }),
  replace: obj({ json: colonStrings, json_types: jsonTypes, headers: colonStrings }),
  add: obj({ json: colonStrings, json_types: jsonTypes, headers: colonStrings }),
  append: obj({ json: colonStrings, json_types: jsonTypes, headers: colonStrings }),
})
export type ResponseTransformerConfig = z.output<typeof schema>
