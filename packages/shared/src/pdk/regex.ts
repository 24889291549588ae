// Kong's `is_regex` for plugin configs: a PCRE pattern compiled as a JavaScript RegExp (a leading `(?i)`,
// common in PCRE configs, becomes the `i` flag since JavaScript has no global inline flag).
export function toRegExp(pattern: string): RegExp {
  if (pattern.startsWith('(?i)')) return new RegExp(pattern.slice(4), 'i')
  return new RegExp(pattern)
}

export function isRegex(pattern: string): boolean {
  try {
    toRegExp(pattern)
    return true
  } catch {
    return false
  }
}
