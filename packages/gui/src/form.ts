// Forms generated from Kong's schema shape (/schemas/{entity}, /schemas/plugins/{name}): nested records,
// arrays, defaults, PEM uploads, and Kong's validation errors shown next to each field.
import { api, listAll } from './api.ts'
import { h, uid } from './dom.ts'

type FieldSchema = { type: string; required?: boolean; default?: unknown; one_of?: string[]; fields?: Record<string, FieldSchema>[]; elements?: FieldSchema; reference?: string; auto?: boolean }
type Reader = () => unknown

const SKIP = new Set(['id', 'created_at', 'updated_at'])
const PEM_FIELDS = /^(rsa_public_key|cert|cert_alt|key|key_alt|public_key|certificate)$/
const isUuid = (s: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s)

export interface BuiltForm {
  element: HTMLElement
  read(): Record<string, unknown>
  showErrors(fields: unknown, message?: string): void
}

/** Build the fields of one record; `values` prefills (edit), otherwise defaults are shown. */
export function buildForm(fields: Record<string, FieldSchema>[], values: Record<string, any> = {}, fixed: string[] = []): BuiltForm {
  const errorSlots = new Map<string, HTMLElement>()
  const summary = h('p', { class: 'error', role: 'alert', hidden: true })
  const { nodes, read } = recordFields(fields, values, '', errorSlots, new Set(fixed))
  return {
    element: h('div', { class: 'fields' }, summary, nodes),
    read,
    showErrors(tree, message) {
      for (const slot of errorSlots.values()) slot.textContent = ''
      let unplaced: string[] = []
      const walk = (t: any, path: string) => {
        if (typeof t === 'string' || Array.isArray(t)) {
          const msg = Array.isArray(t) ? t.filter((x) => typeof x === 'string').join('; ') : t
          const slot = errorSlots.get(path)
          if (slot && msg) slot.textContent = msg
          else if (msg) unplaced.push(path ? `${path}: ${msg}` : msg)
          if (Array.isArray(t)) t.forEach((x, i) => typeof x === 'object' && x && walk(x, `${path}.${i + 1}`))
          return
        }
        if (t && typeof t === 'object') for (const [k, v] of Object.entries(t)) walk(v, k === '@entity' ? '' : path ? `${path}.${k}` : k)
      }
      walk(tree ?? {}, '')
      const text = [message, ...unplaced].filter(Boolean).join(' — ')
      summary.textContent = text
      summary.hidden = !text
      const first = [...errorSlots.values()].find((s) => s.textContent)
      ;(first?.previousElementSibling as HTMLElement | null)?.focus?.()
    },
  }
}

function recordFields(fields: Record<string, FieldSchema>[], values: Record<string, any>, prefix: string, slots: Map<string, HTMLElement>, fixed: Set<string>) {
  const readers: [string, Reader][] = []
  const nodes: HTMLElement[] = []
  for (const entry of fields) {
    const [name, schema] = Object.entries(entry)[0]
    if (!prefix && (SKIP.has(name) || fixed.has(name))) continue
    const path = prefix ? `${prefix}.${name}` : name
    const value = name in values ? values[name] : schema.default
    if (schema.type === 'record' && schema.fields) {
      const inner = recordFields(schema.fields, value ?? {}, path, slots, fixed)
      nodes.push(h('fieldset', {}, h('legend', {}, name), inner.nodes))
      readers.push([name, inner.read])
      continue
    }
    const { node, read } = input(name, path, schema, value)
    const slot = h('span', { class: 'field-error', id: `${node.id}-error`, 'data-error-for': path })
    node.setAttribute('aria-describedby', slot.id)
    if (schema.required && schema.default === undefined) node.setAttribute('aria-required', 'true')
    slots.set(path, slot)
    nodes.push(h('div', { class: 'field' }, h('label', { for: node.id, class: schema.required && schema.default === undefined ? 'req' : undefined }, name), node, slot, PEM_FIELDS.test(name) ? pemUpload(node as HTMLTextAreaElement, name) : null))
    readers.push([name, read])
  }
  const read = () => {
    const out: Record<string, unknown> = {}
    for (const [name, r] of readers) {
      const v = r()
      if (v !== undefined) out[name] = v
    }
    return out
  }
  return { nodes, read }
}

function input(name: string, path: string, s: FieldSchema, value: any): { node: HTMLElement; read: Reader } {
  const id = uid(`f-${path.replace(/\W/g, '-')}`)
  const attrs = { id, name: path, 'data-field': path }
  if (s.type === 'boolean' && (s.default === undefined || s.default === null) && !s.required) {
    // a boolean without a default may be left unset (null), which Kong treats differently from false
    const el = h('select', attrs, ['', 'true', 'false'].map((o) => h('option', { value: o, selected: String(value ?? '') === o }, o || '—')))
    return { node: el, read: () => (el.value === '' ? undefined : el.value === 'true') }
  }
  if (s.type === 'boolean') {
    const el = h('input', { ...attrs, type: 'checkbox', checked: !!value })
    return { node: el, read: () => el.checked }
  }
  if (s.one_of) {
    const el = h('select', attrs, s.required ? null : h('option', { value: '' }, '—'), s.one_of.map((o) => h('option', { value: o, selected: o === value }, o)))
    return { node: el, read: () => el.value || (s.required ? undefined : null) }
  }
  if (s.type === 'integer' || s.type === 'number') {
    const el = h('input', { ...attrs, type: 'number', step: s.type === 'integer' ? '1' : 'any', value: value ?? '' })
    return { node: el, read: () => (el.value === '' ? undefined : Number(el.value)) }
  }
  if (s.type === 'foreign') {
    const el = h('select', attrs, h('option', { value: '' }, '—'))
    if (s.reference) listAll(`/${s.reference}`).then((rows) => {
      for (const r of rows) el.appendChild(h('option', { value: r.id, selected: r.id === value?.id }, r.name ?? r.username ?? r.id))
    }, () => undefined)
    return { node: el, read: () => (el.value ? { id: el.value } : undefined) }
  }
  if ((s.type === 'array' || s.type === 'set') && (!s.elements || ['string', 'integer', 'number'].includes(s.elements.type))) {
    const el = h('input', { ...attrs, type: 'text', value: Array.isArray(value) ? value.join(', ') : '', placeholder: 'comma-separated' })
    const num = s.elements && s.elements.type !== 'string'
    return { node: el, read: () => (el.value.trim() === '' ? undefined : el.value.split(',').map((x) => x.trim()).filter(Boolean).map((x) => (num ? Number(x) : x))) }
  }
  if (s.type !== 'string' || PEM_FIELDS.test(name)) {
    // structured values without a form of their own (maps, arrays of records, JSON) are edited as JSON
    const structured = s.type !== 'string'
    const el = h('textarea', { ...attrs, rows: structured ? 3 : 6, value: value === undefined || value === null ? '' : structured ? JSON.stringify(value, null, 2) : value })
    return {
      node: el,
      read: () => {
        if (el.value.trim() === '') return undefined
        if (!structured) return el.value
        try {
          return JSON.parse(el.value)
        } catch {
          return el.value
        }
      },
    }
  }
  const el = h('input', { ...attrs, type: 'text', value: value ?? '' })
  return { node: el, read: () => (el.value === '' ? undefined : el.value) }
}

function pemUpload(target: HTMLTextAreaElement, name: string): HTMLElement {
  const id = uid('pem')
  const file = h('input', {
    id, type: 'file', accept: '.pem,.crt,.key,.pub,text/plain',
    onchange: async () => {
      const f = file.files?.[0]
      if (f) target.value = await f.text()
    },
  })
  return h('div', { class: 'upload' }, h('label', { for: id }, `Upload ${name} (PEM file)`), file)
}

/** Entity identity for URLs: foreign keys need ids; a typed name becomes the endpoint key. */
export const toRef = (v: string) => (isUuid(v) ? { id: v } : { name: v })

export async function schemaOf(path: string): Promise<Record<string, FieldSchema>[]> {
  return (await api('GET', path)).fields
}
