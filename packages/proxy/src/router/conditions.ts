// Compiling and checking a route's non-path conditions (hosts, snis, methods, headers) and its regexes.

import type { HeaderCond, HostSet, MatchInput } from './types.ts'

/**
 * Split 'name:port' at the first ':' only when everything after it is digits (Kong's rule, spec §4.3), so an
 * IPv6 literal such as '[::1]' stays whole. Used for the Host header and, symmetrically, for route hosts.
 */
export function splitHostPort(h: string): { name: string; port: number | null } {
  const i = h.indexOf(':')
  if (i < 0 || i === h.length - 1) return { name: h, port: null }
  for (let j = i + 1; j < h.length; j++) {
    const c = h.charCodeAt(j)
    if (c < 48 || c > 57) return { name: h, port: null }
  }
  return { name: h.slice(0, i), port: Number(h.slice(i + 1)) }
}

export type WildKind = 'suffix' | 'prefix' | null

/** `*.x.y` → ['suffix', '.x.y']; `x.*` → ['prefix', 'x.']; else [null, name]. Kong allows one `*`, at an end. */
export function wildcardOf(name: string): [WildKind, string] {
  if (name.startsWith('*')) return ['suffix', name.slice(1)]
  if (name.endsWith('*')) return ['prefix', name.slice(0, -1)]
  return [null, name]
}

/** Compile route hosts (or SNIs, with `isSni`: no ports, trailing dot ignored). null when the list is empty. */
export function compileHostSet(list: string[] | null, isSni = false): HostSet | null {
  if (!list || list.length === 0) return null
  // parts a route does not use stay null: at 10,000 routes each empty Set or array is ~0.1–1.5 MB
  const set: HostSet = { one: null, exact: null, withPort: null, wild: null }
  for (const raw of list) {
    let name = raw
    let port: number | null = null
    if (isSni) {
      if (name.endsWith('.')) name = name.slice(0, -1)
    } else {
      const hp = splitHostPort(raw)
      name = hp.name
      port = hp.port
    }
    // indexed rather than destructured: at start-up this runs cold for every host of every route, and array
    // destructuring goes through the iterator protocol until the optimizing compiler gets to it
    const wild = wildcardOf(name)
    const kind = wild[0]
    const text = wild[1]
    if (kind) (set.wild ??= []).push({ suffix: kind === 'suffix', text, port })
    else if (port === null) {
      if (set.exact !== null) set.exact.add(name)
      else if (set.one === null || set.one === name) set.one = name
      else (set.exact = new Set([set.one, name])), (set.one = null)
    }
    else (set.withPort ??= new Set()).add(`${name}:${port}`)
  }
  return set
}

/** Plain hosts are exact and case-sensitive (spec §4.3); a host with a port also requires that port. */
export function hostSetMatches(set: HostSet, name: string, port: number | null): boolean {
  if (set.one === name || (set.exact !== null && set.exact.has(name))) return true
  if (port !== null && set.withPort !== null && set.withPort.has(`${name}:${port}`)) return true
  if (set.wild === null) return false
  for (const w of set.wild) {
    if (w.port !== null && w.port !== port) continue
    if (w.suffix ? name.endsWith(w.text) : name.startsWith(w.text)) return true
  }
  return false
}

/**
 * Compile a Kong regex for JS. Kong (transform.lua) uses '^' + pattern for paths and the bare pattern for
 * headers, with Rust `regex` syntax; we accept JS syntax plus Rust's `(?P<name>` and leading `(?flags)`.
 * Returns an Error when JS cannot compile it.
 */
export function compileRegex(pattern: string, anchored: boolean): RegExp | Error {
  let src = pattern.replace(/\(\?P</g, '(?<')
  let flags = ''
  const lead = /^\(\?([ims]+)\)/.exec(src)
  if (lead) {
    flags = [...new Set(lead[1])].join('')
    src = src.slice(lead[0].length)
  }
  try {
    return new RegExp(anchored ? '^' + src : src, flags)
  } catch (e) {
    return e instanceof Error ? e : new Error(String(e))
  }
}

const META = new Set('\\^$.|?*+()[]{}'.split(''))

/**
 * Literal text every match of a path regex must start with ('^' + pattern), used to index regex routes in
 * the prefix trie. Conservative: '' when the pattern has any '|' (with '^' + 'a|b' only the first
 * alternative is anchored, as in Kong) or an inline flag group.
 */
export function regexLiteralPrefix(pattern: string): string {
  if (pattern.includes('|')) return ''
  let out = ''
  let i = 0
  while (i < pattern.length) {
    const c = pattern[i]
    let lit: string
    let next: number
    if (c === '\\') {
      const e = pattern[i + 1]
      // \d, \w, \b, \x41, \u00e9 ... are classes or escapes with meaning: stop.
      if (e === undefined || /[0-9A-Za-z]/.test(e)) break
      lit = e
      next = i + 2
    } else if (META.has(c)) {
      break
    } else {
      lit = c
      next = i + 1
    }
    const q = pattern[next]
    // A quantifier that allows zero repetitions makes the last literal optional.
    if (q === '?' || q === '*' || q === '{') break
    out += lit
    i = next
    if (q === '+') break
  }
  return out
}

/** Header conditions. Kong lower-cases names and values, and the regex text too ([quirk]: `~*\D` → `\d`). */
export function compileHeaders(
  headers: Record<string, string[]> | null,
  names: string[],
  warn: (msg: string) => void,
): HeaderCond[] | null {
  if (!headers || names.length === 0) return null
  const out: HeaderCond[] = []
  for (const name of names) {
    const lower = name.toLowerCase()
    // Kong's ATC field is http.headers.<name with '-' → '_'>, so both spellings of the request header count.
    const keys = [...new Set([lower, lower.replace(/_/g, '-'), lower.replace(/-/g, '_')])]
    const cond: HeaderCond = { keys, values: new Set(), regexes: [] }
    for (const v of headers[name]) {
      if (v.startsWith('~*')) {
        const re = compileRegex(v.slice(2).toLowerCase(), false)
        if (re instanceof Error) warn(`header ${name} regex '${v}' ignored: ${re.message}`)
        else cond.regexes.push(re)
      } else {
        cond.values.add(v.toLowerCase())
      }
    }
    out.push(cond)
  }
  return out
}

function valueMatches(cond: HeaderCond, raw: string): boolean {
  const v = raw.toLowerCase()
  if (cond.values.has(v)) return true
  for (const re of cond.regexes) if (re.test(v)) return true
  return false
}

/** All header names must be present with at least one acceptable value (AND over names, OR over values). */
export function headersMatch(conds: HeaderCond[], headers: MatchInput['headers']): boolean {
  for (const cond of conds) {
    let ok = false
    for (const key of cond.keys) {
      const got = headers[key]
      if (got === undefined) continue
      if (typeof got === 'string') ok = valueMatches(cond, got)
      else ok = got.some((g) => valueMatches(cond, g))
      if (ok) break
    }
    if (!ok) return false
  }
  return true
}
