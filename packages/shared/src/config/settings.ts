// KONG_* settings: one zod schema with Kong's names and defaults, read once at start (loadSettings).
import { z } from 'zod'
import { resolve } from 'node:path'
import { availableParallelism } from 'node:os'

export interface Listen {
  host: string
  port: number
  ssl: boolean
  /** Kong's `http2` flag: h2 by ALPN beside HTTP/1.1 with `ssl`, h2c (prior knowledge) without. */
  http2: boolean
}

/** Parses Kong's listen syntax: `0.0.0.0:8000, 0.0.0.0:8443 ssl`. Port 0 means "any free port". */
export function parseListen(value: string): Listen[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry) => {
      const [addr, ...flags] = entry.split(/\s+/)
      const m = addr.match(/^(\[[^\]]+\]|[^:]+):(\d+)$/)
      if (!m) throw new Error(`invalid listen address '${entry}'`)
      const port = Number(m[2])
      if (port > 65535) throw new Error(`invalid port in '${entry}'`)
      return { host: m[1].replace(/^\[|\]$/g, ''), port, ssl: flags.includes('ssl'), http2: flags.includes('http2') }
    })
}

const listen = (def: string) =>
  z
    .string()
    .default(def)
    .transform((v, ctx) => {
      if (v.trim() === 'off') return []
      try {
        return parseListen(v)
      } catch (e) {
        ctx.addIssue({ code: 'custom', message: (e as Error).message })
        return z.NEVER
      }
    })

const settingsSchema = z.object({
  KONG_PREFIX: z.string().default('./.postern'),
  KONG_DATABASE: z.enum(['sqlite', 'off']).default('sqlite'),
  KONG_DECLARATIVE_CONFIG: z.string().optional(),
  KONG_ADMIN_LISTEN: listen('127.0.0.1:8001'),
  KONG_PROXY_LISTEN: listen('0.0.0.0:8000, 0.0.0.0:8443 http2 ssl'),
  KONG_STATUS_LISTEN: listen('127.0.0.1:8100'),
  KONG_CLUSTER_LISTEN: listen('127.0.0.1:8005'),
  KONG_CLUSTER_CONTROL_PLANE: z.string().default('127.0.0.1:8005'),
  /** Shared secret for the cluster channel; required when it listens beyond loopback. */
  KONG_CLUSTER_TOKEN: z.string().optional(),
  KONG_PLUGINS: z.string().default('bundled'),
  KONG_LOG_LEVEL: z.enum(['debug', 'info', 'notice', 'warn', 'error', 'crit']).default('notice'),
  KONG_TRUSTED_IPS: z.string().default(''),
  KONG_SSL_CERT: z.string().optional(),
  KONG_SSL_CERT_KEY: z.string().optional(),
  KONG_NGINX_ADMIN_CLIENT_MAX_BODY_SIZE: z.string().default('10m'),
  // Kong's nginx_worker_processes: `auto` = one proxy worker per core
  KONG_NGINX_WORKER_PROCESSES: z
    .string()
    .default('auto')
    .refine((v) => v.trim() === 'auto' || /^[1-9]\d*$/.test(v.trim()), { message: "expected 'auto' or a positive integer" }),
  /** The shared runtime-data store (oauth2 tokens/codes) a proxy writes to; default: the admin's database in the same prefix. */
  POSTERN_STORE_PATH: z.string().optional(),
})

export type Settings = {
  prefix: string
  database: 'sqlite' | 'off'
  declarativeConfig?: string
  adminListen: Listen[]
  proxyListen: Listen[]
  statusListen: Listen[]
  clusterListen: Listen[]
  clusterControlPlane: string
  clusterToken?: string
  plugins: string[]
  logLevel: string
  trustedIps: string[]
  sslCert?: string
  sslCertKey?: string
  adminMaxBody: number
  /** Proxy worker processes (`auto` resolved to the number of cores); 1 = a single process, no cluster. */
  workerProcesses: number
  /** SQLite file holding runtime data shared by every proxy (`<prefix>/postern.db` by default). */
  storePath: string
}

function parseSize(s: string): number {
  const m = s.trim().toLowerCase().match(/^(\d+)([kmg]?)$/)
  if (!m) return 10 * 1024 * 1024
  return Number(m[1]) * ({ '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 } as Record<string, number>)[m[2]]
}

/** Validate the environment once; throws listing every bad variable. */
export function loadSettings(env: Record<string, string | undefined>): Settings {
  const r = settingsSchema.safeParse(env)
  if (!r.success) {
    const lines = r.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`)
    throw new Error(`invalid configuration:\n${lines.join('\n')}`)
  }
  const s = r.data
  return {
    prefix: resolve(s.KONG_PREFIX),
    database: s.KONG_DATABASE,
    declarativeConfig: s.KONG_DECLARATIVE_CONFIG,
    adminListen: s.KONG_ADMIN_LISTEN,
    proxyListen: s.KONG_PROXY_LISTEN,
    statusListen: s.KONG_STATUS_LISTEN,
    clusterListen: s.KONG_CLUSTER_LISTEN,
    clusterControlPlane: s.KONG_CLUSTER_CONTROL_PLANE,
    clusterToken: s.KONG_CLUSTER_TOKEN,
    plugins: s.KONG_PLUGINS.split(',').map((p) => p.trim()).filter(Boolean),
    logLevel: s.KONG_LOG_LEVEL,
    trustedIps: s.KONG_TRUSTED_IPS.split(',').map((p) => p.trim()).filter(Boolean),
    sslCert: s.KONG_SSL_CERT,
    sslCertKey: s.KONG_SSL_CERT_KEY,
    adminMaxBody: parseSize(s.KONG_NGINX_ADMIN_CLIENT_MAX_BODY_SIZE),
    workerProcesses: s.KONG_NGINX_WORKER_PROCESSES.trim() === 'auto' ? availableParallelism() : Number(s.KONG_NGINX_WORKER_PROCESSES),
    storePath: resolve(s.POSTERN_STORE_PATH ?? `${s.KONG_PREFIX}/postern.db`),
  }
}
