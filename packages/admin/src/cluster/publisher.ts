// The admin side of the cluster channel: SSE over HTTP. A proxy connects with the version it holds and
// gets the missing events (or a snapshot when they are no longer kept), then live events and heartbeats.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { EventEmitter } from 'eventemitter3'
import { timingSafeEqual } from 'node:crypto'
import { CLUSTER_HEALTH_PATH, CLUSTER_PATH, CLUSTER_REPORT_PATH, CLUSTER_SNAPSHOT_PATH, type Broadcast, type ChangeEvent, type HealthOverride, type Logger, type NodeReport, type Snapshot } from '@postern/shared'
import { HealthReports } from './health-reports.ts'
import type { Store } from '../store/store.ts'

export interface NodeInfo extends NodeReport {
  ip: string
  connected: boolean
  last_seen: number
}

const HEARTBEAT_MS = 5000
/** A report is four short fields; anything bigger is refused unread (413). */
export const MAX_REPORT_BYTES = 4096
/** Proxies listed in /status; past it the longest-unseen disconnected one (else the longest unseen) goes. */
export const MAX_NODES = 1000
const MAX_FIELD = 255

const str = (v: unknown, max = MAX_FIELD): string | null => (typeof v === 'string' && v.length <= max ? v : null)

/** Only the known fields, of the right types and sizes, or null. */
export function parseReport(body: string): NodeReport | null {
  let r: any
  try {
    r = JSON.parse(body)
  } catch {
    return null
  }
  if (!r || typeof r !== 'object') return null
  const node_id = str(r.node_id, 64)
  const hostname = str(r.hostname)
  const hash = str(r.hash, 64)
  const version = r.version
  if (!node_id || hostname === null || hash === null || !Number.isSafeInteger(version)) return null
  return { node_id, hostname, version, hash }
}

export class ClusterPublisher {
  readonly nodes = new Map<string, NodeInfo>()
  /** The balancers' health as each proxy last reported it (for GET /upstreams/{u}/health). */
  readonly health = new HealthReports((id) => this.nodes.get(id)?.connected === true)
  private server: Server
  private clients = new Set<ServerResponse>()
  private timer: NodeJS.Timeout

  constructor(private store: Store, private bus: EventEmitter, private log: Logger, private token?: string) {
    this.server = createServer((req, res) => this.handle(req, res))
    this.server.keepAliveTimeout = 65_000
    this.timer = setInterval(() => this.heartbeat(), HEARTBEAT_MS)
    this.timer.unref()
  }

  listen(host: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject)
      this.server.listen(port, host, () => resolve((this.server.address() as any).port))
    })
  }

  snapshot(): Promise<Snapshot> {
    // the head and the entities come from one read transaction so they agree
    return this.store.snapshot()
  }

  private authorized(req: IncomingMessage): boolean {
    if (!this.token) return true
    const got = Buffer.from(String(req.headers.authorization ?? ''))
    const want = Buffer.from(`Bearer ${this.token}`)
    return got.length === want.length && timingSafeEqual(got, want)
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://cluster')
    if (!this.authorized(req)) {
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"message":"Unauthorized"}')
      return
    }
    if (req.method === 'GET' && url.pathname === CLUSTER_PATH) {
      this.stream(req, res, url).catch((e) => {
        this.log.error('cluster stream failed', { error: String(e) })
        res.destroy()
      })
      return
    }
    if (req.method === 'GET' && url.pathname === CLUSTER_SNAPSHOT_PATH) {
      this.snapshot().then(
        (snap) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(snap)),
        () => res.writeHead(503, { 'content-type': 'application/json' }).end('{"message":"database unavailable"}'),
      )
      return
    }
    if (req.method === 'POST' && url.pathname === CLUSTER_REPORT_PATH) return this.report(req, res)
    if (req.method === 'POST' && url.pathname === CLUSTER_HEALTH_PATH) return this.health.receive(req, res)
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"Not found"}')
  }

  /** Tell every connected proxy to set a target's health (admin-set health; not a config change). */
  postHealth(o: HealthOverride): void {
    for (const res of this.clients) send(res, 'health', o)
  }

  private async stream(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const have = Number(url.searchParams.get('version') ?? '-1')
    const haveHash = url.searchParams.get('hash') ?? ''
    const nodeId = str(url.searchParams.get('node_id'), 64) ?? 'unknown'
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' })
    res.socket?.setNoDelay(true)
    // live events wait until the catch-up is sent; those it already covers are dropped (by version)
    let sentUpTo = -1
    let held: ChangeEvent[][] | null = []
    const live = (events: ChangeEvent[]) => {
      if (held) return void held.push(events)
      const fresh = events.filter((e) => e.version > sentUpTo)
      if (fresh.length) send(res, 'events', { events: fresh })
    }
    const relay = (broadcast: Broadcast) => send(res, 'broadcast', { broadcast })
    this.bus.on('events', live)
    this.bus.on('broadcast', relay)
    this.clients.add(res)
    // catch up to what this admin has published (never beyond: the feed delivers the rest in order)
    const head = this.store.feed.published
    const missing = have >= 0 && have <= head.version ? await this.store.events.since(have) : null
    // the proxy's history must be ours: same hash at the version it holds (a reset database differs)
    const consistent = missing !== null && (await this.store.events.hashAt(have)) === haveHash
    if (have === head.version && haveHash === head.hash) {
      send(res, 'heartbeat', head)
      sentUpTo = head.version
    } else if (consistent && missing && missing.length <= 5000) {
      send(res, 'events', { events: missing })
      sentUpTo = missing.length ? missing[missing.length - 1].version : have
    } else {
      const snapshot = await this.snapshot()
      send(res, 'snapshot', { snapshot })
      sentUpTo = snapshot.version
    }
    const queued = held
    held = null
    for (const events of queued) live(events)
    const prev = this.nodes.get(nodeId)
    this.remember({
      node_id: nodeId,
      hostname: str(url.searchParams.get('hostname')) ?? '',
      version: prev?.version ?? have,
      hash: prev?.hash ?? haveHash,
      ip: req.socket.remoteAddress ?? '',
      connected: true,
      last_seen: Math.floor(Date.now() / 1000),
    })
    this.log.info('proxy connected', { node_id: nodeId, version: have })
    const done = () => {
      this.bus.off('events', live)
      this.bus.off('broadcast', relay)
      this.clients.delete(res)
      const n = this.nodes.get(nodeId)
      if (n) n.connected = false
    }
    res.on('close', done)
  }

  private report(req: IncomingMessage, res: ServerResponse): void {
    const close = { 'content-type': 'application/json', connection: 'close' }
    if (Number(req.headers['content-length'] ?? 0) > MAX_REPORT_BYTES) {
      res.writeHead(413, close).end('{"message":"Payload too large"}')
      return
    }
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (d: Buffer) => {
      size += d.length
      if (size > MAX_REPORT_BYTES) {
        if (!res.headersSent) res.writeHead(413, close).end('{"message":"Payload too large"}')
        req.destroy()
      } else chunks.push(d)
    })
    req.on('end', () => {
      if (res.headersSent) return
      const r = parseReport(Buffer.concat(chunks).toString('utf8'))
      if (!r) {
        res.writeHead(400, { 'content-type': 'application/json' }).end('{"message":"Bad report"}')
        return
      }
      const prev = this.nodes.get(r.node_id)
      this.remember({ ...r, ip: req.socket.remoteAddress ?? '', connected: prev?.connected ?? true, last_seen: Math.floor(Date.now() / 1000) })
      res.writeHead(204).end()
    })
  }

  /** Record a node, keeping the list bounded (MAX_NODES). */
  private remember(node: NodeInfo): void {
    if (!this.nodes.has(node.node_id) && this.nodes.size >= MAX_NODES) {
      let victim: NodeInfo | undefined
      for (const n of this.nodes.values()) {
        if (!victim || (victim.connected && !n.connected) || (victim.connected === n.connected && n.last_seen < victim.last_seen)) victim = n
      }
      if (victim) this.nodes.delete(victim.node_id)
    }
    this.nodes.set(node.node_id, node)
  }

  private heartbeat(): void {
    const head = this.store.feed.published
    for (const res of this.clients) send(res, 'heartbeat', head)
  }

  close(): Promise<void> {
    clearInterval(this.timer)
    for (const res of this.clients) res.destroy()
    return new Promise((resolve) => {
      this.server.close(() => resolve())
      this.server.closeAllConnections?.()
    })
  }
}

function send(res: ServerResponse, event: string, data: unknown): void {
  res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`)
}
