// Zod speaks Kong: one locale that renders zod issues with Kong's messages, and one function that turns
// issues into Kong's `fields` tree (arrays aligned by position, records nested, `@entity` for entity checks).
import { z } from 'zod'
import type { FieldErrors } from './errors.ts'
import { setOwn } from './own.ts'

const ARTICLE: Record<string, string> = {
  string: 'a string', number: 'a number', int: 'an integer', boolean: 'a boolean', array: 'an array',
  object: 'a record', record: 'a map', map: 'a map', set: 'a set', bigint: 'an integer',
}

/** Kong's message for one zod issue, used as zod's locale so custom messages still win. */
export function kongLocale(issue: any): string {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined || issue.input === null) return 'required field missing'
      if (issue.expected === 'number' && typeof issue.input === 'number') return 'expected an integer'
      return `expected ${ARTICLE[issue.expected] ?? issue.expected}`
    case 'too_small':
      if (issue.origin === 'string' || issue.origin === 'array' || issue.origin === 'set')
        return `length must be at least ${issue.minimum}`
      return `value must be ${issue.inclusive ? 'at least' : 'greater than'} ${issue.minimum}`
    case 'too_big':
      if (issue.origin === 'string' || issue.origin === 'array' || issue.origin === 'set')
        return `length must be at most ${issue.maximum}`
      return `value must be ${issue.inclusive ? 'at most' : 'less than'} ${issue.maximum}`
    case 'invalid_value':
      return `expected one of: ${(issue.values as unknown[]).join(', ')}`
    case 'invalid_format':
      if (issue.format === 'uuid' || issue.format === 'guid') return 'expected a valid UUID'
      if (issue.format === 'url') return `cannot parse '${issue.input}'`
      return `invalid value: ${issue.input}`
    case 'unrecognized_keys':
      return 'unknown field'
    case 'not_multiple_of':
      return 'expected an integer'
    case 'invalid_union':
      return issue.errors?.[0]?.[0]?.message ?? 'invalid value'
    default:
      return issue.message ?? 'invalid value'
  }
}

let installed = false
/** Install Kong's locale once per process (idempotent). */
export function installKongLocale(): void {
  if (installed) return
  installed = true
  z.config({ localeError: kongLocale as any })
}
installKongLocale()

/** Zod issues → Kong `fields`. Path segments that are numbers become array slots (`null` where fine). */
export function issuesToFields(issues: readonly z.core.$ZodIssue[], base: (string | number)[] = []): FieldErrors {
  const root: any = {}
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) put(root, [...base, ...issue.path, key] as (string | number)[], 'unknown field')
      continue
    }
    if (issue.code === 'invalid_union' && (issue as any).errors?.length) {
      // report the first branch's issues, as Kong reports the first failing alternative
      const nested = issuesToFields((issue as any).errors[0], [...base, ...(issue.path as (string | number)[])])
      mergeInto(root, nested)
      continue
    }
    const path = [...base, ...(issue.path as (string | number)[])]
    if (path.length === 0 || (issue.code === 'custom' && (issue as any).params?.entity)) {
      ;(root['@entity'] ??= []).push(issue.message)
      continue
    }
    put(root, path, issue.message)
  }
  return root
}

/** Own properties only: an input key such as `__proto__` must never lead the tree onto a prototype. */
const own = (node: any, key: string | number) => (Object.hasOwn(node, key) ? node[key] : undefined)

function put(root: any, path: (string | number)[], msg: string): void {
  let node = root
  for (let i = 0; i < path.length; i++) {
    const key = path[i]
    const last = i === path.length - 1
    if (last) {
      // a record's own entity checks (sources' `{ip, port}`) nest as `{"@entity": [...]}`
      if (key === '@entity') (own(node, key) ?? setOwn(node, key, [])[key]).push(msg)
      else if (own(node, key) === undefined || own(node, key) === null) setOwn(node, key, msg)
      return
    }
    const nextIsIndex = typeof path[i + 1] === 'number'
    const cur = own(node, key)
    if (cur === undefined || cur === null || typeof cur === 'string') setOwn(node, key, nextIsIndex ? [] : {})
    if (nextIsIndex && Array.isArray(node[key])) {
      const arr = node[key] as unknown[]
      const idx = path[i + 1] as number
      for (let j = 0; j < idx; j++) if (arr[j] === undefined) arr[j] = null
    }
    node = node[key]
  }
}

function mergeInto(dst: any, src: any): void {
  for (const k of Object.keys(src)) {
    if (dst[k] && typeof dst[k] === 'object' && typeof src[k] === 'object') mergeInto(dst[k], src[k])
    else if (dst[k] === undefined || dst[k] === null) dst[k] = src[k]
  }
}
