// request-transformer's config compiled once per instance: names split and lower-cased, every value
// template parsed.
import { compileTemplate, type Template } from './template.ts'
import { splitPair, type RequestTransformerConfig } from './schema.ts'

export interface Op {
  name: string
  value: Template | null
}
export interface Ops {
  remove: string[]
  rename: { name: string; to: string }[]
  replace: Op[]
  add: Op[]
  append: Op[]
}
export interface CompiledRequestTransformer {
  method: string | null
  uri: Template | null
  headers: Ops
  query: Ops | null
  body: Ops | null
}

function ops(c: RequestTransformerConfig, part: 'headers' | 'querystring' | 'body', lower: boolean): Ops {
  const l = (s: string) => (lower ? s.toLowerCase() : s)
  const op = (s: string): Op => {
    const [name, value] = splitPair(s)
    return { name: l(name), value: value === '' ? null : compileTemplate(value) }
  }
  return {
    remove: c.remove[part].map((s) => l(splitPair(s)[0])),
    rename: c.rename[part].map((s) => {
      const [name, to] = splitPair(s)
      return { name: l(name), to: l(to) }
    }),
    replace: c.replace[part].map(op),
    add: c.add[part].map(op),
    append: c.append[part].map(op),
  }
}

const empty = (o: Ops) => o.remove.length + o.rename.length + o.replace.length + o.add.length + o.append.length === 0

export function compile(c: RequestTransformerConfig): CompiledRequestTransformer {
  const query = ops(c, 'querystring', false)
  const body = ops(c, 'body', false)
  return {
    method: c.http_method,
    uri: c.replace.uri ? compileTemplate(c.replace.uri) : null,
    // upstream header names are lower-case here (node), so Kong's case-insensitive lookups are plain ones
    headers: ops(c, 'headers', true),
    query: empty(query) ? null : query,
    body: empty(body) ? null : body,
  }
}
