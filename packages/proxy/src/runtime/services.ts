// The proxy-wide services plugins reach through ctx: a bounded TTL cache, an outgoing HTTP client, and
// the runtime-data store.
import { Agent } from '../upstream/undici.ts'
import { PosternError, type PdkCache, type PdkHttp, type PdkStore } from '@postern/shared'

/** Bounded TTL cache; the oldest entries go first when full (Map keeps insertion order). */
export class TtlCache implements PdkCache {
  private map = new Map<string, { v: unknown; exp: number }>()
  constructor(private max = 100_000) {}
  get<T>(key: string): T | undefined {
    const e = this.map.get(key)
    if (!e) return undefined
    if (e.exp < Date.now()) {
      this.map.delete(key)
      return undefined
    }
    return e.v as T
  }
  set<T>(key: string, value: T, ttlSeconds: number): void {
    if (this.map.size >= this.max) this.map.delete(this.map.keys().next().value as string)
    this.map.delete(key)
    this.map.set(key, { v: value, exp: Date.now() + ttlSeconds * 1000 })
  }
  delete(key: string): void {
    this.map.delete(key)
  }
  clear(): void {
    this.map.clear()
  }
  get size(): number {
    return this.map.size
  }
}

let insecureAgent: Agent | undefined
/** Outbound calls with default TLS: our own agent, not undici's global one (which node's fetch shares). */
let defaultAgent: Agent | undefined

export class BodyTooLargeError extends Error {
  readonly code = 'POSTERN_HTTP_BODY_TOO_LARGE'
}

// one agent per trusted bundle (configs hold few); the oldest goes when a config churns through many
const caAgents = new Map<string, Agent>()
function caAgent(ca: string): Agent {
  let agent = caAgents.get(ca)
  if (!agent) {
    if (caAgents.size >= 32) {
      const [oldest, old] = caAgents.entries().next().value!
      caAgents.delete(oldest)
      void old.close()
    }
    agent = new Agent({ connect: { ca } })
    caAgents.set(ca, agent)
  }
  return agent
}

export const httpClient: PdkHttp = {
  async request(url, opts = {}) {
    const timeout = opts.timeoutMs ?? 10_000
    const u = new URL(url)
    const agent = opts.verifyTls === false ? (insecureAgent ??= new Agent({ connect: { rejectUnauthorized: false } })) : opts.ca ? caAgent(opts.ca) : (defaultAgent ??= new Agent())
    const res = await agent.request({
      origin: u.origin,
      path: u.pathname + u.search,
      method: (opts.method ?? 'GET') as any,
      headers: opts.headers,
      body: opts.body,
      headersTimeout: timeout,
      bodyTimeout: timeout,
      signal: AbortSignal.timeout(timeout),
    })
    // read with a cap so a hostile or broken peer cannot make us buffer without bound
    const max = opts.maxBytes ?? Infinity
    const chunks: Buffer[] = []
    let size = 0
    for await (const chunk of res.body) {
      size += chunk.length
      if (size > max) {
        res.body.destroy()
        throw new BodyTooLargeError(`response body larger than ${max} bytes`)
      }
      chunks.push(chunk)
    }
    return { status: res.statusCode, headers: res.headers as Record<string, string | string[] | undefined>, body: Buffer.concat(chunks) }
  },
}

/** Placeholder until a plugin that writes runtime data (oauth2) brings the shared SQLite store. */
export const noStore: PdkStore = {
  insert: async () => {
    throw new PosternError('DATABASE_ERROR', 'no runtime store configured on this proxy')
  },
  findOne: async () => undefined,
  delete: async () => {},
  update: async () => 0, deleteWhere: async () => 0,
  incr: async () => {
    throw new PosternError('DATABASE_ERROR', 'no runtime store configured on this proxy')
  },
}
