// GET collections: Kong's size/offset/next pagination and the `tags` filter (AND with `,`, OR with `/`).
import type { Context } from 'hono'
import { HttpError, PosternError, type Entity, type EntityDef } from '@postern/shared'
import type { ListOptions } from '../store/store.ts'
import type { AdminDeps } from './context.ts'

const TAG_RE = /^[\x21-\x2b\x2d\x2e\x30-\x7e\u0080-\u{10FFFF}]+$/u

function parseSize(all: string[] | undefined): number {
  if (!all?.length) return 100
  const raw = all[0]
  // a repeated `size` decodes to a list, which Kong's tonumber() refuses
  if (all.length > 1) throw new PosternError('INVALID_SIZE', 'size must be a number')
  const n = Number(raw)
  if (raw.trim() === '' || Number.isNaN(n)) throw new PosternError('INVALID_SIZE', 'size must be a number')
  if (!Number.isInteger(n) || n < 1 || n > 1000) throw new PosternError('INVALID_SIZE', 'size must be an integer between 1 and 1000')
  return n
}

function parseTags(raw: string | undefined): ListOptions['tags'] {
  if (raw === undefined) return undefined
  const bad = (msg: string) => new PosternError('INVALID_OPTIONS', `invalid option (tags: ${msg})`, { options: { tags: msg } })
  if (raw === '') throw bad('cannot be null')
  if (raw.includes(',') && raw.includes('/')) throw bad('invalid filter syntax')
  const sep = raw.includes('/') ? '/' : ','
  const tags = raw.split(sep)
  if (tags.length > 5) throw bad('cannot query more than 5 tags')
  if (tags.some((t) => !TAG_RE.test(t))) throw bad('must only contain printable ascii (except `,` and `/`) or valid utf-8')
  return sep === ',' ? { all: tags } : { any: tags }
}

/** List `def`; `nestedBase` is the URL prefix of a nested list (`/consumers/bob/plugins`). */
export async function listEntities(c: Context, deps: AdminDeps, def: EntityDef, where: Record<string, unknown> = {}, nestedBase?: string, decorate?: (e: Entity) => Entity | Promise<Entity>) {
  const size = parseSize(c.req.queries('size'))
  const offset = c.req.query('offset')
  const tags = nestedBase ? undefined : 'tags' in def.fields ? parseTags(c.req.query('tags')) : undefined
  if (def.name === 'consumers' && !nestedBase && c.req.queries('custom_id')) {
    const cid = c.req.query('custom_id')
    if (!cid) throw new HttpError(400, 'custom_id must be an unempty string')
    where = { ...where, custom_id: cid }
  }
  const page = await deps.store.list(def, { size, offset, tags, where })
  if (decorate) page.data = await Promise.all(page.data.map(decorate))
  let next: string | null = null
  if (page.offset) {
    if (nestedBase) next = `${nestedBase}?offset=${encodeURIComponent(page.offset)}`
    else {
      next = `/${def.adminPath}?offset=${encodeURIComponent(page.offset)}`
      const rawTags = c.req.query('tags')
      if (rawTags) next += `&tags=${encodeURIComponent(rawTags)}`
      if (c.req.query('size')) next += `&size=${size}`
    }
  }
  return c.json(page.offset ? { data: page.data, offset: page.offset, next } : { data: page.data, next })
}
