// An ordered multi-map of parameters (query string, form body) with Kong's operations on it: a name
// holds one value or a list (append turns a value into a list), or `true` for a bare `?flag`.
import type { TemplateEnv } from './template.ts'
import type { Ops } from './compile.ts'

export type Param = string | string[] | true
export type Params = Map<string, Param>

export function decodeParams(raw: string): Params {
  const out: Params = new Map()
  if (!raw) return out
  for (const part of raw.split('&')) {
    if (!part) continue
    const eq = part.indexOf('=')
    const name = dec(eq < 0 ? part : part.slice(0, eq))
    const value: Param = eq < 0 ? true : dec(part.slice(eq + 1))
    const cur = out.get(name)
    if (cur === undefined) out.set(name, value)
    else out.set(name, [...(Array.isArray(cur) ? cur : [String(cur)]), String(value)])
  }
  return out
}

function dec(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '))
  } catch {
    return s
  }
}

/** Encode as Kong's encode_args: lists repeat the name, `true` is the bare name; `sorted` for set_query. */
export function encodeParams(p: Params, sorted: boolean): string {
  const names = [...p.keys()]
  if (sorted) names.sort()
  const out: string[] = []
  for (const name of names) {
    const v = p.get(name)!
    const k = encodeURIComponent(name)
    if (v === true) out.push(k)
    else for (const one of Array.isArray(v) ? v : [v]) out.push(`${k}=${encodeURIComponent(one)}`)
  }
  return out.join('&')
}

export function appendValue(cur: Param | undefined, value: string): string[] {
  if (typeof cur === 'string') return [cur, value]
  if (Array.isArray(cur)) return [...cur, value]
  return [value]
}

/** Kong's remove, rename, replace, add, append over a parameter map; true when anything changed. */
export function applyOps(p: Params, o: Ops, env: TemplateEnv, hasBody = true): boolean {
  let changed = false
  if (hasBody) {
    for (const name of o.remove) changed = p.delete(name) || changed
    for (const { name, to } of o.rename) {
      const v = p.get(name)
      if (v !== undefined && name !== to) {
        p.delete(name)
        p.set(to, v)
        changed = true
      }
    }
    for (const { name, value } of o.replace) {
      if (p.has(name) && value) {
        p.set(name, value.render(env))
        changed = true
      }
    }
  }
  for (const { name, value } of o.add) {
    if (!p.has(name) && value) {
      p.set(name, value.render(env))
      changed = true
    }
  }
  for (const { name, value } of o.append) {
    if (!value) continue
    p.set(name, appendValue(p.get(name), value.render(env)))
    changed = true
  }
  return changed
}
