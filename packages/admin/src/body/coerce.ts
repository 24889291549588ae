// Form and multipart values are text: coerce them with the entity's field kinds, and `config` with the
// plugin's zod schema (Kong's arguments coercion). JSON bodies are never coerced.
import { setOwn, type Field } from '@postern/shared'
import type { z } from 'zod'

function scalar(kind: string, v: unknown): unknown {
  if (v === '') return null
  if (typeof v !== 'string') return v
  if (kind === 'integer' || kind === 'number' || kind === 'timestamp') {
    const n = Number(v)
    return v.trim() !== '' && Number.isFinite(n) ? n : v
  }
  if (kind === 'boolean') return v === 'true' ? true : v === 'false' ? false : v
  return v
}

export function coerceField(f: Field, v: unknown, configSchema?: z.ZodType): unknown {
  if (v === '') return null
  switch (f.kind) {
    case 'array':
    case 'set': {
      const arr = Array.isArray(v) ? v : [v]
      return arr.map((x) => (f.elem ? coerceField(f.elem, x) : x))
    }
    case 'map':
      if (v && typeof v === 'object' && !Array.isArray(v)) {
        const out: Record<string, unknown> = {}
        for (const [k, x] of Object.entries(v)) setOwn(out, k, f.elem ? coerceField(f.elem, x) : x)
        return out
      }
      return v
    case 'record':
      if (configSchema) return coerceZod(configSchema, v)
      // records with declared sub-fields (route `sources[1].port=80`) coerce each known sub-field
      if (f.fields && v && typeof v === 'object' && !Array.isArray(v)) return coerceEntity(f.fields, v as Record<string, unknown>)
      return v
    case 'foreign':
      if (v && typeof v === 'object' && !Array.isArray(v)) {
        const ref = v as Record<string, unknown>
        const out: Record<string, unknown> = {}
        for (const [k, x] of Object.entries(ref)) setOwn(out, k, x === '' ? null : x)
        return out
      }
      return v
    default:
      // a repeated key is a list, which a scalar field then refuses (`expected a string`), as in Kong
      return Array.isArray(v) ? v : scalar(f.kind, v)
  }
}

/** Coerce an entity's form input field by field; unknown fields are left for validation to reject. */
export function coerceEntity(fields: Record<string, Field>, input: Record<string, unknown>, configSchema?: z.ZodType): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(input)) {
    const f = Object.hasOwn(fields, k) ? fields[k] : undefined
    setOwn(out, k, f ? coerceField(f, v, k === 'config' ? configSchema : undefined) : v === '' ? null : v)
  }
  return out
}

function unwrap(s: any): any {
  let cur = s
  for (let i = 0; i < 20 && cur?._zod; i++) {
    const d = cur._zod.def
    if (['default', 'optional', 'nullable', 'prefault', 'readonly', 'catch', 'nonoptional'].includes(d.type)) cur = d.innerType
    else if (d.type === 'pipe') cur = d.in
    else break
  }
  return cur
}

/** Coerce text by walking a zod schema (object shape, arrays, numbers, booleans, records). */
export function coerceZod(schema: z.ZodType, v: unknown): unknown {
  const s = unwrap(schema)
  const type: string | undefined = s?._zod?.def?.type
  if (v === '') return null
  switch (type) {
    case 'object': {
      if (!v || typeof v !== 'object' || Array.isArray(v)) return v
      const shape = s._zod.def.shape
      const out: Record<string, unknown> = {}
      for (const [k, x] of Object.entries(v as object)) setOwn(out, k, Object.hasOwn(shape, k) ? coerceZod(shape[k], x) : x)
      return out
    }
    case 'array': {
      const arr = Array.isArray(v) ? v : [v]
      return arr.map((x) => coerceZod(s._zod.def.element, x))
    }
    case 'record': {
      if (!v || typeof v !== 'object' || Array.isArray(v)) return v
      const out: Record<string, unknown> = {}
      for (const [k, x] of Object.entries(v as object)) setOwn(out, k, coerceZod(s._zod.def.valueType, x))
      return out
    }
    case 'number':
    case 'int':
      return Array.isArray(v) ? v : scalar('number', v)
    case 'boolean':
      return Array.isArray(v) ? v : scalar('boolean', v)
    case 'union': {
      for (const opt of s._zod.def.options) {
        const c = coerceZod(opt, v)
        if (opt.safeParse(c).success) return c
      }
      return v
    }
    default:
      return v
  }
}
