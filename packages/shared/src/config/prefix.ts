// Data at rest in <prefix>: the directory is 0700 and every file holding configuration, credentials or
// keys is 0600, whatever the umask; an existing prefix with looser modes is reported at start, not changed
// (the operator may have reasons, e.g. a group-readable backup directory).
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, statSync, writeSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'

export const DIR_MODE = 0o700
export const FILE_MODE = 0o600

/** Files (and the `ssl` directory's files) the prefix may hold that must not be readable by others
 * (certificates are public: they are made 0600 when generated, but not reported). */
const SENSITIVE = /^(postern\.db(-wal|-shm|-journal)?|config-cache\.(json|journal)|cluster-token|.*\.(key|pem))$/

interface Warn {
  warn(msg: string, fields?: Record<string, unknown>): void
}

/** Create the prefix 0700 (parents too, as `mkdir -p`), or warn about looser modes in an existing one. */
export function preparePrefix(prefix: string, log?: Warn): void {
  if (!existsSync(prefix)) {
    mkdirSync(prefix, { recursive: true, mode: DIR_MODE })
    chmodSync(prefix, DIR_MODE) // mkdir's mode is filtered by the umask only one way; make it exact
    return
  }
  for (const loose of looseModes(prefix)) log?.warn('prefix file is readable or writable by others; expected mode ' + loose.expected, { path: loose.path, mode: loose.mode })
}

/** Paths in the prefix whose mode is looser than expected (group or other bits set). */
export function looseModes(prefix: string): { path: string; mode: string; expected: string }[] {
  const out: { path: string; mode: string; expected: string }[] = []
  const check = (path: string, expected: number) => {
    const mode = statSync(path).mode & 0o777
    if (mode & 0o077) out.push({ path, mode: mode.toString(8).padStart(4, '0'), expected: expected.toString(8).padStart(4, '0') })
  }
  check(prefix, DIR_MODE)
  for (const dir of [prefix, join(prefix, 'ssl')]) {
    if (!existsSync(dir)) continue
    if (dir !== prefix) check(dir, DIR_MODE)
    for (const name of readdirSync(dir)) if (SENSITIVE.test(name)) check(join(dir, name), FILE_MODE)
  }
  return out
}

/** Create an empty file 0600 if missing (so a library that creates it later cannot use the umask's mode). */
export function createPrivateFile(path: string): void {
  if (existsSync(path)) return
  closeSync(openSync(path, 'a', FILE_MODE))
  chmodSync(path, FILE_MODE)
}

/** chmod 0600 each file that exists (files created by a library or a tool with the umask's mode). */
export function restrictFiles(...paths: string[]): void {
  for (const p of paths) if (existsSync(p) && (statSync(p).mode & 0o777) !== FILE_MODE) chmodSync(p, FILE_MODE)
}

/** The cluster token in `file`, or a new random one written there 0600 (exclusive create: two admins
 * starting together agree on the first one written). */
export function ensureClusterToken(file: string): string {
  const existing = readClusterToken(file)
  if (existing) return existing
  const token = randomBytes(32).toString('base64url')
  try {
    const fd = openSync(file, 'wx', FILE_MODE)
    try {
      writeSync(fd, token + '\n')
    } finally {
      closeSync(fd)
    }
    chmodSync(file, FILE_MODE)
    return token
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return readClusterToken(file) ?? token
    throw e
  }
}

/** The token in `file`, or undefined while it does not exist yet (a proxy may start before its admin). */
export function readClusterToken(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim() || undefined
  } catch {
    return undefined
  }
}
