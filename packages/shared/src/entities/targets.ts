// Target entity (Kong's targets.lua + targets DAO): one host:port of an upstream, port 8000 when omitted.
import { z } from 'zod'
import { text } from 'drizzle-orm/sqlite-core'
import { defineEntity } from '../entity.ts'
import { t, type Field } from '../typedefs.ts'
import { checkHost } from './services.ts'

export const DEFAULT_TARGET_PORT = 8000

/** Kong's normalize_ip + format_host: `host[:port]`, `[v6]:port` or bare v6, always written with a port. */
export function formatTarget(target: string): string | null {
  let host: string
  let port: string | undefined
  const v6 = target.match(/^\[([0-9A-Fa-f:.]+)\](?::(\d+))?$/)
  if (v6) [host, port] = [v6[1], v6[2]]
  else if ((target.match(/:/g) ?? []).length > 1) host = target
  else [host, port] = target.split(':') as [string, string | undefined]
  if (port !== undefined && (!/^\d+$/.test(port) || Number(port) > 65535)) return null
  if (host.includes(':')) {
    if (!/^[0-9A-Fa-f:.]+$/.test(host)) return null
    return `[${host.toLowerCase()}]:${port ?? DEFAULT_TARGET_PORT}`
  }
  if (host === '' || checkHost(host) !== null) return null
  return `${host}:${port ?? DEFAULT_TARGET_PORT}`
}

/** Split a formatted target into host (brackets removed) and port. */
export function splitTarget(target: string): { host: string; port: number } {
  const i = target.lastIndexOf(':')
  return { host: target.slice(0, i).replace(/^\[(.*)\]$/, '$1'), port: Number(target.slice(i + 1)) }
}

const targetZod = z.string({ error: 'expected a string' }).transform((s, ctx) => {
  const f = formatTarget(s)
  if (f === null) {
    ctx.addIssue({ code: 'custom', message: `Invalid target ('${s}'); not a valid hostname or ip address` })
    return z.NEVER
  }
  return f
})

const target: Field = { kind: 'string', zod: targetZod, required: true, column: (n: string) => text(n) }

export const targets = defineEntity({
  name: 'targets',
  endpointKey: 'target',
  fields: {
    id: t.uuid(),
    created_at: t.autoTimestamp(),
    updated_at: t.autoTimestamp(),
    upstream: t.foreign('upstreams', { required: true, onDelete: 'cascade' }),
    target,
    weight: t.integer({ between: [0, 65535], default: 100 }),
    tags: t.tags(),
  },
  // one row per host:port in an upstream (Kong ≥ 2.2 answers a duplicate with 409)
  uniqueTogether: ['upstream', 'target'],
})
