// request-transformer's body transforms by content type (Kong's transform_body): form-urlencoded and
// JSON by hand (they are small maps), multipart through the platform's FormData parser and encoder.
import type { Ops } from './compile.ts'
import type { TemplateEnv } from './template.ts'
import { applyOps, appendValue, decodeParams, encodeParams } from './params.ts'

export type BodyKind = 'json' | 'multipart' | 'form'

/** Kong's get_content_type: a substring match, in this order. */
export function bodyKind(contentType: string | undefined): BodyKind | null {
  if (!contentType) return null
  const ct = contentType.toLowerCase()
  if (ct.includes('application/json')) return 'json'
  if (ct.includes('multipart/form-data')) return 'multipart'
  if (ct.includes('application/x-www-form-urlencoded')) return 'form'
  return null
}

export interface NewBody {
  body: Buffer
  contentType?: string
}

/** The transformed body, or null when it stays as it is. */
export async function transformBody(kind: BodyKind, o: Ops, raw: Buffer, contentType: string, env: TemplateEnv): Promise<NewBody | null> {
  if (kind === 'form') {
    const p = decodeParams(raw.toString('utf8'))
    return applyOps(p, o, env, raw.length > 0) ? { body: Buffer.from(encodeParams(p, false)) } : null
  }
  if (kind === 'json') return transformJson(o, raw, env)
  return transformMultipart(o, raw, contentType, env)
}

// Lua truthiness over decoded JSON: only a missing key and false are falsy
const truthy = (v: unknown) => v !== undefined && v !== false

function transformJson(o: Ops, raw: Buffer, env: TemplateEnv): NewBody | null {
  let doc: any = {}
  if (raw.length > 0) {
    try {
      doc = JSON.parse(raw.toString('utf8'))
    } catch {
      return null // not JSON: sent unchanged, as Kong does
    }
    if (doc === null || typeof doc !== 'object') return null
  }
  let changed = false
  if (raw.length > 0) {
    for (const name of o.remove) {
      delete doc[name]
      changed = true
    }
    for (const { name, to } of o.rename) {
      if (name !== to && truthy(doc[name])) {
        doc[to] = doc[name]
        delete doc[name]
        changed = true
      }
    }
    for (const { name, value } of o.replace) {
      if (truthy(doc[name]) && value) {
        doc[name] = value.render(env)
        changed = true
      }
    }
  }
  for (const { name, value } of o.add) {
    if (!truthy(doc[name]) && value) {
      doc[name] = value.render(env)
      changed = true
    }
  }
  for (const { name, value } of o.append) {
    if (!value) continue
    const cur = doc[name]
    doc[name] = appendValue(typeof cur === 'string' || Array.isArray(cur) ? cur : undefined, value.render(env))
    changed = true
  }
  return changed ? { body: Buffer.from(JSON.stringify(doc)) } : null
}

// Kong's multipart transform: rename, remove, replace and add (append is not applied to multipart bodies).
async function transformMultipart(o: Ops, raw: Buffer, contentType: string, env: TemplateEnv): Promise<NewBody | null> {
  let form: FormData
  try {
    form = raw.length ? await new Response(new Uint8Array(raw), { headers: { 'content-type': contentType } }).formData() : new FormData()
  } catch {
    return null
  }
  let changed = false
  if (raw.length > 0) {
    for (const { name, to } of o.rename) {
      const v = form.get(name)
      if (v !== null && name !== to) {
        form.set(to, v)
        form.delete(name)
        changed = true
      }
    }
    for (const name of o.remove) {
      form.delete(name)
      changed = true
    }
    for (const { name, value } of o.replace) {
      if (form.has(name) && value) {
        form.set(name, value.render(env))
        changed = true
      }
    }
  }
  for (const { name, value } of o.add) {
    if (!form.has(name) && value) {
      form.set(name, value.render(env))
      changed = true
    }
  }
  if (!changed) return null
  // the encoder picks a new boundary, so the Content-Type goes with the body
  const res = new Response(form)
  return { body: Buffer.from(await res.arrayBuffer()), contentType: res.headers.get('content-type') ?? contentType }
}
