// Kong's form key grammar (kong/api/arguments_decoder.lua, in our words): `a.b`, `a[]`, `a[1]`, `a[name]`
// turn flat name/value pairs into nested objects and arrays. Pure; unit-tested beside.

const APPEND = Symbol('append')
type Seg = string | number | typeof APPEND

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
  }
  if (cur) segs.push(cur)
  return segs.length ? segs : null
}

/** Build the nested argument object from ordered pairs; repeated scalar keys become arrays. */
export function decodeForm(pairs: Iterable<[string, string]>, allowMaps = true): Record<string, unknown> {
  const root: Record<string, unknown> = {}
  const indexed = new WeakSet<object>()
  for (const [rawKey, value] of pairs) {
    const segs = parseKey(rawKey, allowMaps)
    if (!segs) continue
    let node: any = root
    for (let i = 0; i < segs.length; i++) {
      const seg = segs[i]
      const last = i === segs.length - 1
      if (seg === APPEND) {
        if (!Array.isArray(node)) break
        if (last) node.push(value)
        else {
          const next = {}
          node.push(next)
          node = next
        }
        continue
      }
      const next = segs[i + 1]
      const slot = typeof seg === 'number' ? seg - 1 : seg
      if (typeof seg === 'number') indexed.add(node)
      if (last) {
        const prev = node[slot]
        if (prev === undefined) node[slot] = value
        else if (Array.isArray(prev)) prev.push(value)
        else node[slot] = [prev, value]
      } else {
        if (node[slot] === undefined || typeof node[slot] !== 'object') {
          node[slot] = next === APPEND || typeof next === 'number' ? [] : {}
        }
        node = node[slot]
      }
    }
  }
  return compact(root) as Record<string, unknown>
}

/** Sparse arrays from `a[3]=` keep their order but lose holes (Kong leaves them empty; we drop them). */
function compact(v: unknown): unknown {
  if (Array.isArray(v)) return v.filter((x) => x !== undefined).map(compact)
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {}
    for (const [k, x] of Object.entries(v)) out[k] = compact(x)
    return out
  }
  return v
}
