// Format 1.1/2.1 → 3.0 on load (Kong's declarative/migrations/route_path.lua): before 3.0 any route path
// with characters outside `A-Za-z0-9 . - _ ~ / %` was a regex; 3.0 marks regexes with a leading `~`.
import { normalizePath } from '@postern/shared'

const PLAIN = /^[a-zA-Z0-9.\-_~/%]*$/
const RESERVED = new Set([0x21, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x2b, 0x2c, 0x2f, 0x3a, 0x3b, 0x3d, 0x3f, 0x40, 0x5b, 0x5d])
// decoded characters that mean something in a regex are escaped, so `%2E` stays a literal dot
const REGEX_META: Record<number, string> = { 0x2e: '\\.', 0x5e: '\\^', 0x2d: '\\-', 0x7b: '\\{', 0x7d: '\\}', 0x5c: '\\\\', 0x7c: '\\|' }

/** Percent-decode a pre-3.0 regex path for the last time (3.0 no longer decodes route paths). */
function normalizeRegex(path: string): string {
  if (!path.includes('%')) return path
  return path.replace(/%([0-9A-Fa-f]{2})/g, (m, hex: string) => {
    const n = parseInt(hex, 16)
    if (RESERVED.has(n)) return m.toUpperCase()
    return REGEX_META[n] ?? String.fromCharCode(n)
  })
}

/** One pre-3.0 path in its 3.0 spelling. */
export function migratePath(path: string): string {
  if (PLAIN.test(path)) return normalizePath(path)
  return `~${normalizeRegex(path)}`
}

const isRecord = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v)

function migrateRoutes(routes: unknown): void {
  if (!Array.isArray(routes)) return
  for (const route of routes) {
    if (!isRecord(route) || !Array.isArray(route.paths)) continue
    route.paths = route.paths.map((p) => (typeof p === 'string' ? migratePath(p) : p))
  }
}

/** Migrate a parsed 1.1/2.1 document in place (top-level routes and routes nested in services). */
export function migrateDocument(doc: Record<string, unknown>): void {
  if (doc._format_version !== '1.1' && doc._format_version !== '2.1') return
  migrateRoutes(doc.routes)
  if (Array.isArray(doc.services)) for (const s of doc.services) if (isRecord(s)) migrateRoutes(s.routes)
  doc._format_version = '3.0'
}
