// Declarative configuration, start to end: text or object → format checks → 1.1/2.1 migration → flatten
// → validation, giving every entity of the new configuration, or Kong's code-14 error.
import type { Catalogue, Entity } from '@postern/shared'
import { ErrorTree, luaCompact, prettyReport } from './error-tree.ts'
import { flattenDocument } from './flatten.ts'
import { flattenErrors, type FlatError } from './flat-errors.ts'
import { migrateDocument } from './migrate.ts'
import { buildModel, type Model } from './model.ts'
import { DeclarativeError, md5, unserialize } from './parse.ts'
import { validateItems } from './validate.ts'

export { DeclarativeError, md5 }

export const FORMAT_VERSIONS = ['1.1', '2.1', '3.0']

export interface DeclarativeConfig {
  /** Every entity by type, in load order (parents first), ids and defaults filled in. */
  entities: Map<string, Entity[]>
  /** The version as written (1.1 and 2.1 files were migrated to 3.0). */
  formatVersion: string
  transform: boolean
  /** MD5 of the submitted text (or of the JSON of a submitted object). */
  hash: string
}

const models = new WeakMap<Catalogue, Model>()
export function modelOf(catalogue: Catalogue): Model {
  let m = models.get(catalogue)
  if (!m) models.set(catalogue, (m = buildModel(catalogue)))
  return m
}

function checkMeta(doc: Record<string, unknown>, errors: ErrorTree): void {
  const v = doc._format_version
  if (v === undefined || v === null) errors.add(['_format_version'], 'required field missing')
  else if (typeof v !== 'string') errors.add(['_format_version'], 'expected a string')
  else if (!FORMAT_VERSIONS.includes(v)) errors.add(['_format_version'], `expected one of: ${FORMAT_VERSIONS.join(', ')}`)
  if (doc._transform !== undefined && typeof doc._transform !== 'boolean') errors.add(['_transform'], 'expected a boolean')
  if (doc._comment !== undefined && typeof doc._comment !== 'string') errors.add(['_comment'], 'expected a string')
  if (doc._ignore !== undefined && !Array.isArray(doc._ignore)) errors.add(['_ignore'], 'expected an array')
}

/** Parse and validate a whole configuration; throws a DeclarativeError and changes nothing. */
export function parseDeclarative(source: string | Record<string, unknown>, catalogue: Catalogue, filename?: string): DeclarativeConfig {
  const doc = typeof source === 'string' ? unserialize(source, filename) : source
  const hash = md5(typeof source === 'string' ? source : JSON.stringify(source))
  const original = structuredClone(doc)
  const working = structuredClone(doc)
  const errors = new ErrorTree()
  checkMeta(working, errors)
  const formatVersion = String(working._format_version)
  migrateDocument(working)
  const model = modelOf(catalogue)
  const items = flattenDocument(working, model, errors)
  const entities = validateItems(items, model, catalogue, errors)
  if (!entities) throw new DeclarativeError(errors.toJSON(), original)
  return { entities, formatVersion, transform: working._transform !== false, hash }
}

/** Kong's 400 body for `/config`: code 14, the Lua rendering in the message, optionally flattened. */
export function errorBody(err: DeclarativeError, catalogue: Catalogue, flatten: boolean): Record<string, unknown> {
  const fields = structuredClone(err.fields) as Record<string, unknown>
  let flattened: FlatError[] | undefined
  if (flatten && err.input) flattened = flattenErrors(modelOf(catalogue), structuredClone(err.input), fields)
  const body: Record<string, unknown> = {
    code: 14,
    name: 'invalid declarative configuration',
    message: `declarative config is invalid: ${luaCompact(fields)}`,
    fields,
  }
  if (flattened) body.flattened_errors = flattened
  return body
}

/** The report `kong start` prints for a broken file. */
export function errorReport(err: DeclarativeError): string {
  return prettyReport(err.fields)
}
