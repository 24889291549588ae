// KONG_* settings: one zod schema with Kong's names and defaults, read once at start (loadSettings).
import { z } from 'zod'
import { resolve } from 'node:path'
import { isIpOrCidr } from '../pdk/ip.ts'
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

/** Kong's boolean settings: on/off, true/false. */
const pgBool = z.enum(['on', 'off', 'true', 'false']).default('off').transform((v) => v === 'on' || v === 'true')

const settingsSchema = z.object({
  KONG_PREFIX: z.string().default('./.postern'),
  KONG_DATABASE: z.enum(['sqlite', 'off', 'postgres']).default('sqlite'),
  // Kong's Postgres settings and defaults (kong.conf.default); pool size defaults to lua_socket_pool_size
  KONG_PG_HOST: z.string().default('127.0.0.1'),
  KONG_PG_PORT: z.coerce.number().int().min(1).max(65535).default(5432),
  KONG_PG_USER: z.string().default('kong'),
  KONG_PG_PASSWORD: z.string().optional(),
  KONG_PG_DATABASE: z.string().default('kong'),
  // unquoted identifiers only: Postgres folds search_path names to lower case
  KONG_PG_SCHEMA: z.string().regex(/^[a-z_][a-z0-9_]*$/, 'expected a lower-case schema name (letters, digits, _)').optional(),
  KONG_PG_SSL: pgBool,
  KONG_PG_SSL_VERIFY: pgBool,
  KONG_PG_TIMEOUT: z.coerce.number().int().min(1).default(5000),
  KONG_PG_POOL_SIZE: z.coerce.number().int().min(1).default(256),
  KONG_DECLARATIVE_CONFIG: z.string().optional(),
  KONG_ADMIN_LISTEN: listen('127.0.0.1:8001'),
  KONG_PROXY_LISTEN: listen('0.0.0.0:8000, 0.0.0.0:8443 http2 ssl'),
  KONG_STATUS_LISTEN: listen('127.0.0.1:8100'),
  KONG_CLUSTER_LISTEN: listen('127.0.0.1:8005'),
  /** One control plane `host:port`, or several separated by commas (a proxy fails over in order). */
  KONG_CLUSTER_CONTROL_PLANE: z
    .string()
    .default('127.0.0.1:8005')
    .refine((v) => v.split(',').map((x) => x.trim()).filter(Boolean).every((x) => /^(https?:\/\/)?(\[[^\]]+\]|[^:,\s]+)(:\d{1,5})?$/.test(x)), 'expected host:port[, host:port ...]'),
  /** Shared secret for the cluster channel; without it the admin generates one into the prefix. */
  KONG_CLUSTER_TOKEN: z.string().min(1).optional(),
  /** Where the generated token lives (default `<prefix>/cluster-token`); proxies of the same prefix read it. */
  POSTERN_CLUSTER_TOKEN_FILE: z.string().optional(),
  /** `off` turns cluster authentication off — allowed only while the channel listens on loopback. */
  POSTERN_CLUSTER_AUTH: z.enum(['on', 'off']).default('on'),
  KONG_PLUGINS: z.string().default('bundled'),
  KONG_LOG_LEVEL: z.enum(['debug', 'info', 'notice', 'warn', 'error', 'crit']).default('notice'),
  KONG_TRUSTED_IPS: z
    .string()
    .default('')
    .refine((v) => v.split(',').map((p) => p.trim()).every((p) => p === '' || p.startsWith('unix:') || isIpOrCidr(p)), { error: 'invalid ip or cidr range' }),
  KONG_REAL_IP_HEADER: z.string().min(1).default('X-Real-IP'),
  KONG_REAL_IP_RECURSIVE: z.enum(['on', 'off']).default('off'),
  // Kong writes logs/access.log by default; Postern's default is off (a write per request), set a path to enable
  KONG_PROXY_ACCESS_LOG: z.string().default('off'),
  // Kong's dns_resolver: comma-separated name servers (`ip[:port]`, port 53 when omitted); empty = the system's
  KONG_DNS_RESOLVER: z.string().default(''),
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

export interface PgSettings {
  host: string
  port: number
  user: string
  password?: string
  database: string
  schema?: string
  ssl: boolean
  sslVerify: boolean
  timeout: number
  poolSize: number
}

export type Settings = {
  prefix: string
  database: 'sqlite' | 'off' | 'postgres'
  /** Postgres connection (used when `database` is `postgres`). */
  pg: PgSettings
  declarativeConfig?: string
  adminListen: Listen[]
  proxyListen: Listen[]
  statusListen: Listen[]
  clusterListen: Listen[]
  /** First of `clusterControlPlanes`. */
  clusterControlPlane: string
  clusterControlPlanes: string[]
  clusterToken?: string
  clusterTokenFile: string
  clusterAuth: boolean
  plugins: string[]
  logLevel: string
  trustedIps: string[]
  /** Access log path (relative to the prefix), or null when off. */
  proxyAccessLog: string | null
  /** Header the forwarded client address is read from when the peer is trusted (nginx real_ip_header). */
  realIpHeader: string
  /** nginx real_ip_recursive: skip trusted addresses in the header from the right. */
  realIpRecursive: boolean
  /** `ip:port` name servers for targets and service hosts (KONG_DNS_RESOLVER); empty = the system's. */
  dnsResolver: string[]
  sslCert?: string
  sslCertKey?: string
  adminMaxBody: number
  /** Proxy worker processes (`auto` resolved to the number of cores); 1 = a single process, no cluster. */
  workerProcesses: number
  /** SQLite file holding runtime data shared by every proxy (`<prefix>/postern.db` by default). */
  storePath: string
  adminGuiListen: Listen[]
  adminGuiApiUrl?: string
  adminToken?: string
  adminInsecure: boolean
  auditRetention: number
}

/** `ip` → `ip:53`, `v6` → `[v6]:53`; a given port is kept. */
function withDnsPort(server: string): string {
  if (server.startsWith('[')) return /\]:\d+$/.test(server) ? server : `${server}:53`
  if (server.includes(':') && server.indexOf(':') !== server.lastIndexOf(':')) return `[${server}]:53`
  return server.includes(':') ? server : `${server}:53`
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
  const controlPlanes = s.KONG_CLUSTER_CONTROL_PLANE.split(',').map((x) => x.trim()).filter(Boolean)
  return {
    prefix: resolve(s.KONG_PREFIX),
    database: s.KONG_DATABASE,
    pg: {
      host: s.KONG_PG_HOST,
      port: s.KONG_PG_PORT,
      user: s.KONG_PG_USER,
      password: s.KONG_PG_PASSWORD,
      database: s.KONG_PG_DATABASE,
      schema: s.KONG_PG_SCHEMA,
      ssl: s.KONG_PG_SSL,
      sslVerify: s.KONG_PG_SSL_VERIFY,
      timeout: s.KONG_PG_TIMEOUT,
      poolSize: s.KONG_PG_POOL_SIZE,
    },
    declarativeConfig: s.KONG_DECLARATIVE_CONFIG,
    adminListen: s.KONG_ADMIN_LISTEN,
    proxyListen: s.KONG_PROXY_LISTEN,
    statusListen: s.KONG_STATUS_LISTEN,
    clusterListen: s.KONG_CLUSTER_LISTEN,
    clusterControlPlane: controlPlanes[0],
    clusterControlPlanes: controlPlanes,
    clusterToken: s.KONG_CLUSTER_TOKEN,
    clusterTokenFile: resolve(s.POSTERN_CLUSTER_TOKEN_FILE ?? `${s.KONG_PREFIX}/cluster-token`),
    clusterAuth: s.POSTERN_CLUSTER_AUTH === 'on',
    plugins: s.KONG_PLUGINS.split(',').map((p) => p.trim()).filter(Boolean),
    logLevel: s.KONG_LOG_LEVEL,
    trustedIps: s.KONG_TRUSTED_IPS.split(',').map((p) => p.trim()).filter(Boolean),
    proxyAccessLog: s.KONG_PROXY_ACCESS_LOG.trim() === '' || s.KONG_PROXY_ACCESS_LOG.trim() === 'off' ? null : s.KONG_PROXY_ACCESS_LOG.trim(),
    realIpHeader: s.KONG_REAL_IP_HEADER,
    realIpRecursive: s.KONG_REAL_IP_RECURSIVE === 'on',
    dnsResolver: s.KONG_DNS_RESOLVER.split(',').map((p) => p.trim()).filter(Boolean).map(withDnsPort),
    sslCert: s.KONG_SSL_CERT,
    sslCertKey: s.KONG_SSL_CERT_KEY,
    adminMaxBody: parseSize(s.KONG_NGINX_ADMIN_CLIENT_MAX_BODY_SIZE),
    workerProcesses: s.KONG_NGINX_WORKER_PROCESSES.trim() === 'auto' ? availableParallelism() : Number(s.KONG_NGINX_WORKER_PROCESSES),
    storePath: resolve(s.POSTERN_STORE_PATH ?? `${s.KONG_PREFIX}/postern.db`),
    adminGuiListen: s.KONG_ADMIN_GUI_LISTEN,
    adminGuiApiUrl: s.KONG_ADMIN_GUI_API_URL?.replace(/\/+$/, ''),
    adminToken: s.POSTERN_ADMIN_TOKEN,
    adminInsecure: s.POSTERN_ADMIN_INSECURE === 'on',
    auditRetention: s.POSTERN_AUDIT_RETENTION,
  }
}
