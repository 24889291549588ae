// Finding a drizzle-kit migrations folder (drizzle/ for SQLite, drizzle-pg/ for Postgres) and reading its journal.
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/** `<name>/` at the workspace root, found from this file (source) or from dist/ (bundle). */
export function findMigrations(name: string): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, name)
    if (existsSync(join(candidate, 'meta/_journal.json'))) return candidate
    dir = resolve(dir, '..')
  }
  throw new Error(`${name} migrations folder not found`)
}

export function journal(folder: string): { tag: string; when: number }[] {
  return JSON.parse(readFileSync(join(folder, 'meta/_journal.json'), 'utf8')).entries
}

export function tooNewMessage(dbNewest: number, known: { when: number }[], where: string): string | null {
  const newest = known.length ? known[known.length - 1].when : 0
  if (dbNewest <= newest) return null
  return `the database schema is newer than this Postern (database migration ${dbNewest} > newest known ${newest}); upgrade Postern or use another ${where}`
}
