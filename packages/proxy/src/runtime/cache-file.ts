// <prefix>/config-cache.json: the last applied snapshot, written atomically (write, fsync, rename), so
// a proxy restarted while the admin is down serves what it served before.
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import type { Snapshot } from '@postern/shared'

export const cacheFile = (prefix: string) => join(prefix, 'config-cache.json')

export function writeConfigCache(prefix: string, snap: Snapshot): void {
  mkdirSync(prefix, { recursive: true })
  const file = cacheFile(prefix)
  const tmp = `${file}.${process.pid}.tmp`
  const fd = openSync(tmp, 'w', 0o600)
  try {
    writeSync(fd, JSON.stringify(snap))
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  renameSync(tmp, file)
}

export function readConfigCache(prefix: string): Snapshot | null {
  try {
    const snap = JSON.parse(readFileSync(cacheFile(prefix), 'utf8')) as Snapshot
    return typeof snap.version === 'number' && snap.entities ? snap : null
  } catch {
    return null
  }
}
