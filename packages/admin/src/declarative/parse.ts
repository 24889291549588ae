// kong.yml text → a document object: JSON or YAML chosen as Kong's unserialize does (by file extension, or
// JSON first then YAML), plus the MD5 of the text that `?check_hash=1` compares.
import { createHash } from 'node:crypto'
import { parse as parseYaml } from 'yaml'
import type { ErrorJson } from './error-tree.ts'

/** A configuration Kong would refuse: `fields` mirrors the input (code 14 on the admin API). */
export class DeclarativeError extends Error {
  readonly code = 'POSTERN_DECLARATIVE_INVALID'
  /** `input` is the document as submitted, for `flatten_errors` (absent when the text did not parse). */
  constructor(readonly fields: ErrorJson, readonly input?: Record<string, unknown>) {
    super('declarative config is invalid')
  }
}

export const md5 = (text: string) => createHash('md5').update(text).digest('hex')

const parseFailure = (why?: string) => {
  const error = `failed parsing declarative configuration${why ? `: ${why}` : ''}`
  return new DeclarativeError({ error })
}

function tryJson(text: string): { value?: unknown; error?: string } {
  try {
    return { value: JSON.parse(text) }
  } catch (e) {
    return { error: (e as Error).message }
  }
}

function tryYaml(text: string): { value?: unknown; error?: string } {
  try {
    // YAML 1.2 core schema (`yes` stays a string, dates stay strings); `<<` merge keys as lyaml allows
    return { value: parseYaml(text, { merge: true, uniqueKeys: false, maxAliasCount: 10_000 }) }
  } catch (e) {
    return { error: (e as Error).message.trim() }
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v)

/**
 * Parse configuration text. `filename` picks the format as Kong does (`.json` → JSON, `.yml`/`.yaml` → YAML);
 * without one (a POST body), JSON is tried first and YAML second. Throws a DeclarativeError.
 */
export function unserialize(text: string, filename?: string): Record<string, unknown> {
  const json = !filename || /json$/i.test(filename) || !/ya?ml$/i.test(filename)
  const yaml = !filename || /ya?ml$/i.test(filename) || !/json$/i.test(filename)
  let error: string | undefined
  if (json) {
    const r = tryJson(text)
    if (isObject(r.value)) return r.value
    error = r.error
  }
  if (yaml) {
    const r = tryYaml(text)
    if (isObject(r.value)) return r.value
    error = r.error ?? 'expected an object'
  } else if (error === undefined) error = 'expected an object'
  throw parseFailure(error)
}
