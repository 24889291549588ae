// Kong's form key grammar (kong/api/arguments_decoder.lua, in our words): `a.b`, `a[]`, `a[1]`, `a[name]`
// turn flat name/value pairs into nested objects and arrays. Pure; unit-tested beside.
import { HttpError, setOwn } from '@postern/shared'

const APPEND = Symbol('append')
export type Seg = string | number | typeof APPEND
export { APPEND }
/** Deeper keys are refused: no Kong field nests this far, and unbounded depth would exhaust the stack. */
export const MAX_KEY_DEPTH = 32

/** Split a form key into path segments: `config.key_names[1]` → ['config', 'key_names', 1]. */
export function parseKey(raw: string, allowMaps = true): Seg[] | null {
  const key = raw.replace(/%5B/gi, '[').replace(/%5D/gi, ']')
  if (key.startsWith('.') || key.endsWith('.')) return null
  const segs: Seg[] = []
  let i = 0
  let cur = ''
  while (i < key.length) {
    const ch = key[i]
    if (ch === '.') {
      if (cur) segs.push(cur)
      else if (segs.length === 0) return null
      cur = ''
      i++
    } else if (ch === '[') {
      const end = key.indexOf(']', i)
      if (end < 0) {
        cur += key.slice(i)
        break
      }
      if (cur) segs.push(cur)
      cur = ''
      const inner = key.slice(i + 1, end)
      if (inner === '') segs.push(APPEND)
      else if (/^\d+$/.test(inner)) segs.push(Number(inner))
      else if (allowMaps) segs.push(inner)
      else return [raw]
      i = end + 1
    } else {
      cur += ch
      i++
    }
    if (segs.length > MAX_KEY_DEPTH) throw new HttpError(400, `invalid argument name: nested deeper than ${MAX_KEY_DEPTH} levels`)
  }
  if (cur) segs.push(cur)
  return segs.length ? segs : null
}

/**
 * An array under construction. Positions arrive in any order (`a[3]=` before `a[1]=`) and may be huge
 * (`a[4294967294]=`), so they are kept in a map and only sorted at the end: never a sparse JS array.
 */
class Slots {
  readonly at = new Map<number, unknown>()
  private max = 0
  set(i: number, v: unknown): void {
    this.at.set(i, v)
    if (i > this.max) this.max = i
  }
  append(v: unknown): void {
    this.set(this.max + 1, v)
  }
}
type Node = Map<string, unknown> | Slots

const isNode = (v: unknown): v is Node => v instanceof Map || v instanceof Slots
const read = (node: Node, key: string | number) => (node instanceof Slots ? node.at.get(key as number) : node.get(key as string))
const write = (node: Node, key: string | number, v: unknown) => (node instanceof Slots ? node.set(key as number, v) : node.set(key as string, v))

/** Build the nested argument object from ordered pairs; a path that receives several values becomes an array. */
export function decodeForm(pairs: Iterable<[string, string]>, allowMaps = true): Record<string, unknown> {
  const root: Node = new Map()
  for (const [rawKey, value] of pairs) {
    const segs = parseKey(rawKey, allowMaps)
    if (!segs) continue
    let node: Node = root
    for (let i = 0; i < segs.length; i++) {
      const seg = segs[i]
      // the kinds must agree: `a[1]=x&a.b=y` or `a.b=x&a[]=y` cannot both hold, so the later pair is dropped
      let key: string | number
      if (node instanceof Slots) {
        if (seg === APPEND) key = -1
        else if (typeof seg === 'number') key = seg
        else break
      } else if (seg === APPEND) break
      else key = String(seg)
      if (i === segs.length - 1) {
        if (key === -1) (node as Slots).append(value)
        else {
          const prev = read(node, key)
          if (prev === undefined) write(node, key, value)
          else if (prev instanceof Slots) prev.append(value)
          else {
            const list = new Slots()
            list.append(prev)
            list.append(value)
            write(node, key, list)
          }
        }
        break
      }
      const next = segs[i + 1]
      let child = key === -1 ? undefined : read(node, key)
      if (!isNode(child)) {
        child = next === APPEND || typeof next === 'number' ? new Slots() : new Map<string, unknown>()
        if (key === -1) (node as Slots).append(child)
        else write(node, key, child)
      }
      node = child as Node
    }
  }
  return finish(root) as Record<string, unknown>
}

/** Plain objects and dense arrays in position order (Kong leaves holes empty; we drop them). */
function finish(v: unknown): unknown {
  if (v instanceof Slots) return [...v.at.keys()].sort((a, b) => a - b).map((k) => finish(v.at.get(k)))
  if (v instanceof Map) {
    const out: Record<string, unknown> = {}
    for (const [k, x] of v) setOwn(out, k, finish(x))
    return out
  }
  return v
}
