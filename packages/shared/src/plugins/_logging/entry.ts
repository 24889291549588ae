// The log entry the logging plugins send: Kong's serializer output plus `custom_fields`, Postern's
// replacement for Lua's custom_fields_by_lua: static values or `$(path.in.entry)` templates, compiled once.
import { z } from 'zod'
import type { KongLogEntry, LogSummary } from '../../pdk/index.ts'

/** Kong's field, kept so Kong configs validate with a clear message instead of an unknown-field error. */
export const customFieldsByLua = z
  .record(z.string(), z.string())
  .nullable()
  .default(null)
  .refine((v) => v === null || Object.keys(v).length === 0, {
    error: 'Lua code is not supported by Postern: use custom_fields (static values or $(field.path) templates)',
  })

/** `{ "tenant": "$(request.headers.x-tenant)", "app": "billing" }`; a dotted key sets a nested field. */
export const customFields = z.record(z.string(), z.string()).nullable().default(null)

type Part = string | readonly string[]
type Compiled = { path: string[]; parts: Part[] }[]

const PLACEHOLDER = /\$\(([A-Za-z0-9_.-]+)\)/g

export function compileCustomFields(fields: Record<string, string> | null): Compiled {
  if (!fields) return []
  return Object.entries(fields).map(([key, template]) => {
    const parts: Part[] = []
    let last = 0
    for (const m of template.matchAll(PLACEHOLDER)) {
      if (m.index > last) parts.push(template.slice(last, m.index))
      parts.push(m[1].split('.'))
      last = m.index + m[0].length
    }
    if (last < template.length) parts.push(template.slice(last))
    return { path: key.split('.'), parts }
  })
}

function lookup(entry: unknown, path: readonly string[]): unknown {
  let v: any = entry
  for (const p of path) {
    if (v === null || typeof v !== 'object' || !Object.hasOwn(v, p)) return null
    v = v[p]
  }
  return v ?? null
}

/** The JSON text of one entry, with the custom fields applied to a copy of the serializer output. */
export function renderEntry(summary: LogSummary, custom: Compiled): string {
  if (!custom.length) return summary.serializedJson ? summary.serializedJson() : JSON.stringify(summary.serialize())
  const base = summary.serialize()
  const entry: Record<string, any> = { ...base }
  for (const { path, parts } of custom) {
    // a lone placeholder keeps the value's type (numbers stay numbers)
    const value = parts.length === 1 && typeof parts[0] !== 'string' ? lookup(base, parts[0]) : parts.map((p) => (typeof p === 'string' ? p : String(lookup(base, p) ?? ''))).join('')
    let target = entry
    for (const p of path.slice(0, -1)) {
      const next = target[p]
      target = target[p] = next && typeof next === 'object' ? { ...next } : {}
    }
    target[path[path.length - 1]] = value
  }
  return JSON.stringify(entry as KongLogEntry)
}
