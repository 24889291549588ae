// Pure response transformations of Kong's response-transformer: headers in place, JSON body as a string.
import { splitPair, type ResponseTransformerConfig } from './schema.ts'

type Headers = Record<string, string | string[]>
type JsonType = 'boolean' | 'number' | 'string'
type Pair = { name: string; value: string | null; type?: JsonType }

export interface CompiledResponseTransformer {
  headers: { remove: string[]; rename: Pair[]; replace: Pair[]; add: Pair[]; append: Pair[] }
  json: { remove: string[]; rename: Pair[]; replace: Pair[]; add: Pair[]; append: Pair[] } | null
}

function pairs(list: string[], types: JsonType[] = [], lower = false): Pair[] {
  return list.map((s, i) => {
    const [name, value] = splitPair(s)
    return { name: lower ? name.toLowerCase() : name, value: value === '' ? null : value, type: types[i] }
  })
}

export function compile(c: ResponseTransformerConfig): CompiledResponseTransformer {
  const hasJson = c.remove.json.length + c.rename.json.length + c.replace.json.length + c.add.json.length + c.append.json.length > 0
  return {
    // node hands us lower-case response header names; Kong's lookups are case-insensitive too
    headers: {
      remove: c.remove.headers.map((h) => h.toLowerCase()),
      rename: pairs(c.rename.headers, [], true).map((p) => ({ ...p, value: p.value && p.value.toLowerCase() })),
      replace: pairs(c.replace.headers, [], true),
      add: pairs(c.add.headers, [], true),
      append: pairs(c.append.headers, [], true),
    },
    json: hasJson
      ? {
          remove: c.remove.json,
          rename: pairs(c.rename.json),
          replace: pairs(c.replace.json, c.replace.json_types),
          add: pairs(c.add.json, c.add.json_types),
          append: pairs(c.append.json, c.append.json_types),
        }
      : null,
  }
}

/** Kong's is_json_body: one of the comma-separated media types is application/json (parameters ignored). */
export function isJsonBody(contentType: string | string[] | undefined): boolean {
  if (contentType === undefined) return false
  const ct = Array.isArray(contentType) ? contentType[0] : contentType
  return ct.split(',').some((part) => {
    const mt = part.split(';')[0].trim().toLowerCase()
    return mt === 'application/json'
  })
}

export function transformHeaders(c: CompiledResponseTransformer, h: Headers): void {
  const t = c.headers
  for (const name of t.remove) delete h[name]
  for (const { name, value } of t.rename) {
    if (h[name] !== undefined && value) {
      const v = h[name]
      delete h[name]
      h[value] = v
    }
  }
  for (const { name, value } of t.replace) if (h[name] !== undefined && value !== null) h[name] = value
  for (const { name, value } of t.add) if (h[name] === undefined && value !== null) h[name] = value
  for (const { name, value } of t.append) {
    if (value === null) continue
    const cur = h[name]
    h[name] = cur === undefined ? value : Array.isArray(cur) ? [...cur, value] : [cur, value]
  }
  // the body will change length: let node frame it (Kong clears Content-Length likewise)
  if (c.json && isJsonBody(h['content-type'])) delete h['content-length']
}

function cast(value: string, type: JsonType | undefined): unknown {
  if (type === 'number') {
    const n = Number(value)
    return value.trim() === '' || Number.isNaN(n) ? undefined : n // Lua tonumber gives nil: the key is skipped
  }
  if (type === 'boolean') return value === 'true'
  return value
}

// Lua truthiness over decoded JSON: only a missing key and `false` are falsy (JSON null is cjson.null, truthy).
const truthy = (v: unknown) => v !== undefined && v !== false

/** Kong's transform_json_body; undefined when the body is not a JSON value (then it is sent unchanged). */
export function transformJson(c: NonNullable<CompiledResponseTransformer['json']>, body: string): string | undefined {
  let doc: any
  try {
    doc = JSON.parse(body)
  } catch {
    return undefined
  }
  if (doc === null || typeof doc !== 'object') return undefined
  for (const name of c.remove) delete doc[name]
  for (const { name, value } of c.rename) {
    if (doc[name] !== undefined && value) {
      const v = doc[name]
      delete doc[name]
      doc[value] = v
    }
  }
  for (const { name, value, type } of c.replace) {
    const v = value === null ? undefined : cast(value, type)
    if (truthy(doc[name]) && v !== undefined) doc[name] = v
  }
  for (const { name, value, type } of c.add) {
    const v = value === null ? undefined : cast(value, type)
    if (!truthy(doc[name]) && v !== undefined) doc[name] = v
  }
  for (const { name, value, type } of c.append) {
    const v = value === null ? undefined : cast(value, type)
    if (v === undefined) continue
    const cur = doc[name]
    doc[name] = typeof cur === 'string' ? [cur, v] : Array.isArray(cur) ? [...cur, v] : [v]
  }
  return JSON.stringify(doc)
}
