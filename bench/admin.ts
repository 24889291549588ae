// A small admin API client for the bench: JSON writes that return the config version, bulk route creation, status polling.
import { Pool } from 'undici'

export interface Written<T = any> {
  status: number
  body: T
  /** X-Postern-Config-Version of the write. */
  version: number
}

export class BenchAdmin {
  readonly pool: Pool
  /** Highest config version any write through this client produced. */
  lastVersion = 0

  constructor(readonly url: string) {
    this.pool = new Pool(url, { connections: 16, keepAliveTimeout: 60_000 })
  }

  async request<T = any>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, json?: unknown): Promise<Written<T>> {
    const r = await this.pool.request({
      method, path,
      headers: json === undefined ? {} : { 'content-type': 'application/json' },
      body: json === undefined ? undefined : JSON.stringify(json),
    })
    const text = await r.body.text()
    const version = Number(r.headers['x-postern-config-version'])
    if (version > this.lastVersion) this.lastVersion = version
    return { status: r.statusCode, body: text ? JSON.parse(text) : undefined, version }
  }

  /** POST that must succeed (200/201); returns the created entity. */
  async create<T = any>(path: string, json: unknown): Promise<T> {
    const r = await this.request<T>('POST', path, json)
    if (r.status !== 201 && r.status !== 200) throw new Error(`POST ${path} → ${r.status} ${JSON.stringify(r.body)}`)
    return r.body
  }

  close(): Promise<void> {
    return this.pool.close()
  }
}

/**
 * Creates `count` bodies with at most `parallel` requests in flight. The admin serialises writes on
 * SQLite anyway; a little parallelism only hides the HTTP round trips.
 */
export async function createMany(admin: BenchAdmin, path: string, count: number, body: (i: number) => unknown, parallel = 8): Promise<void> {
  let next = 0
  const worker = async () => {
    while (next < count) {
      const i = next++
      await admin.create(path, body(i))
    }
  }
  await Promise.all(Array.from({ length: Math.min(parallel, count) }, worker))
}

export interface ProxyStatus {
  configuration_version: number
  routes?: number
  memory?: { rss: number; heap_used?: number }
}

export async function proxyStatus(statusUrl: string): Promise<ProxyStatus> {
  const r = await fetch(`${statusUrl}/status`)
  return (await r.json()) as ProxyStatus
}

/** Polls the proxy status until it applied `version` (bounded by `timeoutMs`). */
export async function waitForVersion(statusUrl: string, version: number, timeoutMs = 120_000): Promise<ProxyStatus> {
  const until = Date.now() + timeoutMs
  let last: ProxyStatus | undefined
  while (Date.now() < until) {
    last = await proxyStatus(statusUrl).catch(() => undefined)
    if (last && last.configuration_version >= version) return last
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`proxy at ${statusUrl} did not reach config version ${version} (last ${last?.configuration_version})`)
}
