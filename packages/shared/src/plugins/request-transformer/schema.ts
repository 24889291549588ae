// request-transformer config (Kong 3.9): http_method, and remove/rename/replace/add/append for headers,
// querystring and body, plus replace.uri. Template values are checked here, so a bad one is a 400.
import { z } from 'zod'
import { withCheck } from '../../typedefs.ts'
import { compileTemplate, TemplateError } from './template.ts'

const HEADER_NAME = /^[a-zA-Z0-9\-_]+$/
const PAIR = /^([^:]+):*(.*)$/s

/** Kong's `name:value` split: the name runs to the first colon, further colons are skipped. */
export function splitPair(s: string): [string, string] {
  const m = PAIR.exec(s)
  return m ? [m[1], m[2]] : [s, '']
}

function templateProblem(value: string): string | null {
  try {
    compileTemplate(value)
    return null
  } catch (e) {
    if (e instanceof TemplateError) return `value '${value}' is not in supported format, error:${e.message}`
    throw e
  }
}

const arr = (elem: z.ZodType<string>) => z.array(elem).default([])
const str = z.string()
// headers in remove: a valid name (Kong's validate_headers)
const headerName = withCheck(str, (s: string) => (HEADER_NAME.test(splitPair(s)[0]) ? null : `'${splitPair(s)[0]}' is not a valid header`)) as z.ZodType<string>
// body and querystring pairs: a value is required and must be a supported template (Kong's check_for_value)
const valuePair = withCheck(str, (s: string) => {
  const [name, value] = splitPair(s)
  if (value === '') return `key '${name}' has no value`
  return templateProblem(value)
}) as z.ZodType<string>
// header pairs: a valid name, and a value that is a supported template
const headerPair = withCheck(str.regex(/^[^:]+:.*$/s), (s: string) => {
  const [name, value] = splitPair(s)
  if (!HEADER_NAME.test(name)) return `'${name}' is not a valid header`
  return templateProblem(value)
}) as z.ZodType<string>
// rename.headers: both sides are header names (Kong's validate_colon_headers)
const renameHeader = withCheck(str.regex(/^[^:]+:.*$/s), (s: string) => {
  const [name, value] = splitPair(s)
  if (!HEADER_NAME.test(name)) return `'${name}' is not a valid header`
  if (!HEADER_NAME.test(value)) return `'${value}' is not a valid header`
  return null
}) as z.ZodType<string>

const rec = <T extends z.ZodRawShape>(shape: T) => z.strictObject(shape).prefault({} as any)
const pairs = () => ({ body: arr(valuePair), headers: arr(headerPair), querystring: arr(valuePair) })

export const schema = z.strictObject({
  http_method: z.string().regex(/^[A-Z]+$/).nullable().default(null),
  remove: rec({ body: arr(str), headers: arr(headerName), querystring: arr(str) }),
  rename: rec({ body: arr(valuePair), headers: arr(renameHeader), querystring: arr(valuePair) }),
  replace: rec({
    ...pairs(),
    uri: withCheck(str, templateProblem).nullable().default(null) as z.ZodType<string | null>,
  }),
  add: rec(pairs()),
  append: rec(pairs()),
})
export type RequestTransformerConfig = z.output<typeof schema>
