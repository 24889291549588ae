// One body decoder for every admin endpoint: Kong's Content-Type gate, JSON as-is, form-urlencoded and
// multipart (file parts as their text) through Kong's key grammar.
import type { Context } from 'hono'
import { HttpError } from '@postern/shared'
import { decodeForm } from './kong-form.ts'

export interface DecodedBody {
  /** `json` bodies are never coerced; `form` bodies are coerced from the schema. */
  kind: 'json' | 'form' | 'empty' | 'yaml'
  data: Record<string, unknown>
  /** Raw text for YAML bodies (`/config`). */
  text?: string
}

const ACCEPTED = ['application/json', 'multipart/form-data', 'application/x-www-form-urlencoded']
/** Kong's max_uri_args / max_post_args. */
export const MAX_ARGS = 1000

export async function decodeBody(c: Context, opts: { yaml?: boolean } = {}): Promise<DecodedBody> {
  const type = c.req.header('content-type')
  const length = c.req.header('content-length')
  const raw = c.req.raw
  if (!type) {
    const text = await c.req.text()
    if (text.length === 0 || length === '0') return { kind: 'empty', data: {} }
    throw new HttpError(415, 'Unsupported Media Type')
  }
  if (opts.yaml && /^(application|text)\/(x-)?yaml/.test(type)) return { kind: 'yaml', data: {}, text: await c.req.text() }
  if (!ACCEPTED.some((a) => type.startsWith(a))) throw new HttpError(415, 'Unsupported Media Type')
  if (type.startsWith('application/json')) {
    const text = await c.req.text()
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch {
      throw new HttpError(400, 'Cannot parse JSON body')
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new HttpError(400, 'Cannot parse JSON body')
    return { kind: 'json', data: parsed as Record<string, unknown> }
  }
  if (type.startsWith('application/x-www-form-urlencoded')) {
    const params = new URLSearchParams(await c.req.text())
    const pairs = [...params]
    if (pairs.length > MAX_ARGS) throw new HttpError(400, 'Too many arguments')
    return { kind: 'form', data: decodeForm(pairs) }
  }
  // multipart: Hono's parser; repeated names are kept as arrays (Kong keeps the last; we keep all, spec §3.3)
  let form: FormData
  try {
    form = await raw.formData()
  } catch {
    if (length === '0' || !/boundary=/.test(type)) return { kind: 'empty', data: {} }
    throw new HttpError(400, 'Cannot parse multipart body')
  }
  const pairs: [string, string][] = []
  for (const [name, value] of form.entries()) {
    pairs.push([name, typeof value === 'string' ? value : await value.text()])
  }
  if (pairs.length > MAX_ARGS) throw new HttpError(400, 'Too many arguments')
  return { kind: 'form', data: decodeForm(pairs) }
}
