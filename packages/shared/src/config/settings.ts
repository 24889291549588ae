// KONG_* settings: one zod schema with Kong's names and defaults, read once at start (loadSettings).
import { z } from 'zod'
import { resolve } from 'node:path'

export interface Listen {
  host: string
  port: number
  ssl: boolean
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
      return { host: m[1].replace(/^\[|\]$/g, ''), port, ssl: flags.includes('ssl') }
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
  KONG_PROXY_LISTEN: listen('0.0.0.0:8000, 0.0.0.0:8443 ssl'),
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
  /** The shared runtime-data store (oauth2 tokens/codes) a proxy writes to; default: the admin's database in the same prefix. */
  POSTERN_STORE_PATH: z.string().optional(),
  /** Kong Manager's listener; the admin serves the GUI there. */
  KONG_ADMIN_GUI_LISTEN: listen('127.0.0.1:8002'),
  /** Kong's admin_gui_api_url: the admin API address the GUI's browser code calls. */
  KONG_ADMIN_GUI_API_URL: z.string().url().optional(),
  /** Bootstrap admin token (role `admin`): turns admin authentication on. */
  POSTERN_ADMIN_TOKEN: z.string().min(1).optional(),
  /** `on`: allow an unauthenticated admin on a non-loopback address. */
  POSTERN_ADMIN_INSECURE: z.enum(['on', 'off']).default('off'),
  /** How long audit rows are kept, in seconds (30 days). */
  POSTERN_AUDIT_RETENTION: z.coerce.number().int().positive().default(30 * 24 * 3600),
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
  /** SQLite file holding runtime data shared by every proxy (`<prefix>/postern.db` by default). */
  storePath: string
  adminGuiListen: Listen[]
  adminGuiApiUrl?: string
  adminToken?: string
  adminInsecure: boolean
  auditRetention: number
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
    storePath: resolve(s.POSTERN_STORE_PATH ?? `${s.KONG_PREFIX}/postern.db`),
    adminGuiListen: s.KONG_ADMIN_GUI_LISTEN,
    adminGuiApiUrl: s.KONG_ADMIN_GUI_API_URL?.replace(/\/+$/, ''),
    adminToken: s.POSTERN_ADMIN_TOKEN,
    adminInsecure: s.POSTERN_ADMIN_INSECURE === 'on',
    auditRetention: s.POSTERN_AUDIT_RETENTION,
  }
}
