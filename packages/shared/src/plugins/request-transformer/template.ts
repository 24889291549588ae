// Kong's request-transformer templates (`$(headers.x)`, `$(query_params["y"])`, `$(uri_captures[1])`,
// `$(shared.v)`, `or`/`and`, string and number literals), parsed once per config into a tiny AST and
// evaluated against read-only lookups. Nothing is ever evaluated as code: any other expression is
// rejected when the config is validated.

export type TemplateValue = string | string[] | number | boolean | undefined | null

/** What a template can read: Kong's template environment (lower-case header names, as the PDK's). */
export interface TemplateEnv {
  header(name: string): string | string[] | undefined
  query(name: string): string | string[] | undefined
  capture(name: string): string | undefined
  shared(name: string): unknown
}

type Root = 'headers' | 'query_params' | 'uri_captures' | 'shared'
type Node =
  | { k: 'lit'; v: string | number }
  | { k: 'path'; root: Root; keys: (string | number)[] }
  | { k: 'or' | 'and'; a: Node; b: Node }

/** A compiled template: literal text and expressions; `render` concatenates them as pl.template does. */
export interface Template {
  readonly source: string
  /** True when the source has no `$(...)` (rendering returns it as is). */
  readonly literal: boolean
  render(env: TemplateEnv): string
}

const ROOTS = new Set<string>(['headers', 'query_params', 'uri_captures', 'shared'])

export class TemplateError extends Error {}

/** Compile a template; throws TemplateError naming what is not supported. */
export function compileTemplate(source: string): Template {
  const parts: (string | Node)[] = []
  let i = 0
  let text = ''
  while (i < source.length) {
    const at = source.indexOf('$(', i)
    if (at < 0) break
    // pl.template finds the end with Lua's %b(): balanced parentheses, quotes not considered
    let depth = 0
    let end = -1
    for (let j = at + 1; j < source.length; j++) {
      if (source[j] === '(') depth++
      else if (source[j] === ')' && --depth === 0) {
        end = j
        break
      }
    }
    if (end < 0) break // an unclosed `$(` is plain text, as in pl.template
    text += source.slice(i, at)
    if (text) parts.push(text)
    text = ''
    parts.push(parseExpression(source.slice(at + 2, end)))
    i = end + 1
  }
  text += source.slice(i)
  if (text) parts.push(text)
  const literal = parts.every((p) => typeof p === 'string')
  return {
    source,
    literal,
    render(env) {
      if (literal) return source
      let out = ''
      for (const p of parts) out += typeof p === 'string' ? p : show(evaluate(p, env))
      return out
    },
  }
}

// Lua's tostring(v or ''): nil and false render empty. A multi-value header or query argument is a Lua
// table in Kong (rendered as its address); we join the values with ', ' as HTTP combines header lines.
function show(v: TemplateValue): string {
  if (v === undefined || v === null || v === false) return ''
  if (Array.isArray(v)) return v.join(', ')
  return String(v)
}

function truthy(v: TemplateValue): boolean {
  return v !== undefined && v !== null && v !== false
}

function evaluate(n: Node, env: TemplateEnv): TemplateValue {
  switch (n.k) {
    case 'lit':
      return n.v
    case 'or': {
      const a = evaluate(n.a, env)
      return truthy(a) ? a : evaluate(n.b, env)
    }
    case 'and': {
      const a = evaluate(n.a, env)
      return truthy(a) ? evaluate(n.b, env) : a
    }
    case 'path':
      return lookup(n, env)
  }
}

function lookup(n: Extract<Node, { k: 'path' }>, env: TemplateEnv): TemplateValue {
  if (n.keys.length === 0) return undefined
  const [first, ...rest] = n.keys
  let v: unknown
  if (n.root === 'headers') v = env.header(String(first))
  else if (n.root === 'query_params') v = env.query(String(first))
  else if (n.root === 'uri_captures') v = env.capture(String(first))
  else v = env.shared(String(first))
  // deeper keys index into arrays (1-based, as Lua) or records
  for (const k of rest) {
    if (v === null || typeof v !== 'object') return undefined
    v = Array.isArray(v) && typeof k === 'number' ? v[k - 1] : (v as Record<string, unknown>)[String(k)]
  }
  if (v === null || v === undefined) return undefined
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[]
  return undefined
}

// ---- parser: expr := and ('or' and)*; and := atom ('and' atom)*; atom := literal | path | '(' expr ')'

type Tok = { t: 'str' | 'num' | 'id' | 'p'; v: string }

function tokenize(src: string): Tok[] {
  const toks: Tok[] = []
  let i = 0
  while (i < src.length) {
    const c = src[i]
    if (/\s/.test(c)) {
      i++
    } else if (c === '"' || c === "'") {
      let j = i + 1
      let s = ''
      while (j < src.length && src[j] !== c) {
        if (src[j] === '\\' && j + 1 < src.length) {
          const e = src[++j]
          s += e === 'n' ? '\n' : e === 't' ? '\t' : e
        } else s += src[j]
        j++
      }
      if (j >= src.length) throw new TemplateError('unfinished string')
      toks.push({ t: 'str', v: s })
      i = j + 1
    } else if (/[0-9]/.test(c)) {
      const m = /^[0-9]+/.exec(src.slice(i))![0]
      toks.push({ t: 'num', v: m })
      i += m.length
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i))![0]
      toks.push({ t: 'id', v: m })
      i += m.length
    } else if ('.[]()'.includes(c)) {
      toks.push({ t: 'p', v: c })
      i++
    } else {
      throw new TemplateError(`unsupported symbol '${c}'`)
    }
  }
  return toks
}

function parseExpression(src: string): Node {
  const toks = tokenize(src)
  let pos = 0
  const peek = () => toks[pos]
  const take = (t: Tok['t'], v?: string): Tok => {
    const tok = toks[pos]
    if (!tok || tok.t !== t || (v !== undefined && tok.v !== v)) throw new TemplateError(`unsupported expression '${src}'`)
    pos++
    return tok
  }
  const binary = (k: 'or' | 'and', next: () => Node): Node => {
    let a = next()
    while (peek()?.t === 'id' && peek().v === k) {
      pos++
      a = { k, a, b: next() }
    }
    return a
  }
  const expr = (): Node => binary('or', () => binary('and', atom))
  function atom(): Node {
    const tok = peek()
    if (!tok) throw new TemplateError(`unsupported expression '${src}'`)
    if (tok.t === 'str') return pos++, { k: 'lit', v: tok.v }
    if (tok.t === 'num') return pos++, { k: 'lit', v: Number(tok.v) }
    if (tok.t === 'p' && tok.v === '(') {
      pos++
      const e = expr()
      take('p', ')')
      return e
    }
    const root = take('id').v
    if (!ROOTS.has(root)) throw new TemplateError(`unsupported expression '${src}': only headers, query_params, uri_captures and shared can be read`)
    const keys: (string | number)[] = []
    for (;;) {
      const n = peek()
      if (n?.t === 'p' && n.v === '.') {
        pos++
        keys.push(take('id').v)
      } else if (n?.t === 'p' && n.v === '[') {
        pos++
        const k = peek()
        if (k?.t === 'str') keys.push(k.v)
        else if (k?.t === 'num') keys.push(Number(k.v))
        else throw new TemplateError(`unsupported expression '${src}'`)
        pos++
        take('p', ']')
      } else break
    }
    return { k: 'path', root: root as Root, keys }
  }
  const node = expr()
  if (pos !== toks.length) throw new TemplateError(`unsupported expression '${src}'`)
  return node
}
