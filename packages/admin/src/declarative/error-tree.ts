// Kong's declarative error tree: errors sit where the input sits (entity arrays by 1-based position, nested
// children under their parent), rendered as JSON `fields`, as the Lua text of the message, and as the
// indented report `kong start` prints for a broken file.
import type { FieldErrors } from '@postern/shared'

type Key = string | number
type Value = string | string[] | Node
type Node = Map<Key, Value>

/** JSON shape of a tree: objects, arrays aligned by position (`null` where fine), strings, string lists. */
export type ErrorJson = { [k: string]: unknown } | unknown[]

export class ErrorTree {
  private root: Node = new Map()

  get empty(): boolean {
    return this.root.size === 0
  }

  private node(path: Key[]): Node {
    let node = this.root
    for (const key of path) {
      let next = node.get(key)
      if (!(next instanceof Map)) node.set(key, (next = new Map()))
      node = next
    }
    return node
  }

  /** Add a message at `path`; a second message at the same place turns it into a list. */
  add(path: Key[], msg: string): void {
    const node = this.node(path.slice(0, -1))
    const key = path[path.length - 1]
    const cur = node.get(key)
    if (cur === undefined || cur instanceof Map) node.set(key, msg)
    else node.set(key, Array.isArray(cur) ? [...cur, msg] : [cur, msg])
  }

  /** Graft an entity's schema-violation `fields` (JSON arrays with `null` holes) at `path`. */
  merge(path: Key[], fields: FieldErrors): void {
    const node = this.node(path)
    for (const [k, v] of Object.entries(fields)) graft(node, k, v)
  }

  toJSON(): ErrorJson {
    return toJson(this.root) as ErrorJson
  }
}

function graft(node: Node, key: Key, v: unknown): void {
  if (v === null || v === undefined) return
  if (typeof v === 'string') return void node.set(key, v)
  // `@entity` holds a list of messages; any other array is positional
  if (Array.isArray(v) && key === '@entity') return void node.set(key, v.map(String))
  let child = node.get(key)
  if (!(child instanceof Map)) node.set(key, (child = new Map()))
  if (Array.isArray(v)) v.forEach((x, i) => graft(child as Node, i + 1, x))
  else for (const [k, x] of Object.entries(v as object)) graft(child as Node, k, x)
}

function toJson(v: Value): unknown {
  if (!(v instanceof Map)) return v
  const keys = [...v.keys()]
  if (keys.length && keys.every((k) => typeof k === 'number')) {
    const arr: unknown[] = new Array(Math.max(...(keys as number[]))).fill(null)
    for (const [k, x] of v) arr[(k as number) - 1] = toJson(x)
    return arr
  }
  const obj: Record<string, unknown> = {}
  for (const [k, x] of v) Object.defineProperty(obj, String(k), { value: toJson(x), enumerable: true, writable: true, configurable: true })
  return obj
}

const quote = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`
const isIdent = (k: string) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(k)

/** Entries of a JSON node as a Lua table sees them: 1-based numbers for array slots, holes dropped. */
function luaEntries(v: object): [Key, unknown][] {
  const entries: [Key, unknown][] = Array.isArray(v)
    ? v.flatMap((x, i) => (x === null || x === undefined ? [] : [[i + 1, x] as [Key, unknown]]))
    : Object.entries(v).map(([k, x]) => [/^\d+$/.test(k) ? Number(k) : k, x] as [Key, unknown])
  // numbers ascending, then names sorted (Lua's own order is the hash order)
  return entries
    .filter(([, x]) => x !== null && x !== undefined)
    .sort(([a], [b]) => (typeof a === typeof b ? (a < b ? -1 : a > b ? 1 : 0) : typeof a === 'number' ? -1 : 1))
}

/** penlight's `pretty.write(t, "")`, the compact text in `declarative config is invalid: {...}`. */
export function luaCompact(v: unknown): string {
  if (typeof v === 'string') return quote(v)
  if (v === null || typeof v !== 'object') return String(v)
  const parts: string[] = []
  let next = 1
  for (const [k, x] of luaEntries(v)) {
    if (k === next) {
      parts.push(luaCompact(x))
      next++
    } else parts.push(`${typeof k === 'number' ? `[${k}]` : isIdent(k) ? k : `[${quote(k)}]`}=${luaCompact(x)}`)
  }
  return `{${parts.join(',')}}`
}

/** Kong's pretty_print_error: `in 'services':` / `- in entry 1 of 'services':` / `in 'host': required field missing`. */
export function prettyReport(v: unknown, item = '', indent = ''): string {
  const out: string[] = []
  for (const [k, x] of luaEntries(v as object)) {
    const label = typeof k === 'number' ? `- in entry ${k} of '${item}'` : `in '${k}'`
    if (x !== null && typeof x === 'object') out.push(`${indent}${label}:`, prettyReport(x, String(k), `${indent}  `))
    else out.push(`${indent}${label}: ${String(x)}`)
  }
  return out.join('\n')
}
