// /config (Kong's api/routes/config.lua): in DB-less mode GET exports and POST replaces the whole
// configuration; with a database GET exports kong.yml text (a Postern addition) and POST is refused.
import type { Context, Hono } from 'hono'
import { HttpError } from '@postern/shared'
import { decodeBody } from '../body/decode.ts'
import { DeclarativeError, errorBody, md5, parseDeclarative } from '../declarative/index.ts'
import { exportYaml } from '../declarative/export.ts'
import { replaceAll } from '../declarative/load.ts'
import { VERSION_HEADER, type AdminDeps } from './context.ts'

/** What DB-less mode remembers about the loaded configuration. */
export interface DeclarativeState {
  /** MD5 of the text last loaded (null when it was an object body or is unknown). */
  hash: string | null
}

const ONLY_DBLESS = 'this endpoint is only available when Kong is configured to not use a database'

/** Kong's truthy() for flatten_errors; check_hash predates it and accepts only `1`. */
const truthy = (v: unknown) => v === true || v === 1 || (typeof v === 'string' && ['true', '1', 'on', 'yes'].includes(v.toLowerCase()))

type Source = { source: string | Record<string, unknown>; text: boolean }

/** The configuration in a request: a JSON object with `_format_version`, a `config` field, or a raw YAML body. */
async function readSource(c: Context, flags: Record<string, unknown>): Promise<Source> {
  const body = await decodeBody(c, { yaml: true })
  if (body.kind === 'yaml') {
    if (!body.text) throw new HttpError(400, 'expected a declarative configuration')
    return { source: body.text, text: true }
  }
  const data = { ...body.data }
  for (const flag of ['check_hash', 'flatten_errors']) {
    if (data[flag] !== undefined) flags[flag] ??= data[flag]
    delete data[flag]
  }
  if (data._format_version !== undefined) return { source: data, text: false }
  const config = data.config
  if (typeof config === 'string' && config.length) return { source: config, text: true }
  if (config && typeof config === 'object' && !Array.isArray(config)) return { source: config as Record<string, unknown>, text: false }
  // Kong falls back to the raw body; a JSON object without `_format_version` then fails validation
  if (body.kind === 'json' && Object.keys(data).length) return { source: data, text: false }
  throw new HttpError(400, 'expected a declarative configuration')
}

export function registerConfigEndpoints(app: Hono, deps: AdminDeps, state: DeclarativeState): void {
  const { store, catalogue } = deps

  app.get('/config', async (c) => {
    const yaml = await exportYaml(store, catalogue)
    if (deps.readOnly) return c.json({ config: yaml })
    // database mode: the file itself, ready for `curl :8001/config > kong.yml`
    return c.body(yaml, 200, { 'Content-Type': 'application/yaml; charset=utf-8' })
  })

  app.post('/config', async (c) => {
    if (!deps.readOnly) return c.json({ message: ONLY_DBLESS }, 400)
    const flags: Record<string, unknown> = { check_hash: c.req.query('check_hash'), flatten_errors: c.req.query('flatten_errors') }
    const { source, text } = await readSource(c, flags)
    if (String(flags.check_hash) === '1' && text && state.hash !== null && state.hash === md5(source as string)) return c.body(null, 304)
    let loaded
    try {
      const config = parseDeclarative(source, catalogue)
      const result = await replaceAll(store, catalogue, config)
      state.hash = text ? config.hash : null
      c.header(VERSION_HEADER, String(result.version))
      loaded = result.loaded
    } catch (e) {
      if (e instanceof DeclarativeError) return c.json(errorBody(e, catalogue, truthy(flags.flatten_errors)), 400)
      throw e
    }
    return c.json(loaded, 201)
  })
}
