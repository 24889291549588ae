// The admin side of the cluster channel: SSE over HTTP. A proxy connects with the version it holds and
// gets the missing events (or a snapshot when they are no longer kept), then live events and heartbeats.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { EventEmitter } from 'eventemitter3'
import { timingSafeEqual } from 'node:crypto'
import { CLUSTER_PATH, CLUSTER_REPORT_PATH, CLUSTER_SNAPSHOT_PATH, type ChangeEvent, type Logger, type NodeReport, type Snapshot } from '@postern/shared'
import type { Store } from '../store/store.ts'

export interface NodeInfo extends NodeReport {
  ip: string
  connected: boolean
  last_seen: number
}

const HEARTBEAT_MS = 5000

export class ClusterPublisher {
  readonly nodes = new Map<string, NodeInfo>()
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
    if (req.method === 'POST' && url.pathname === CLUSTER_REPORT_PATH) {
      let body = ''
      req.on('data', (d) => (body += d))
      req.on('end', () => {
        try {
          const r = JSON.parse(body) as NodeReport
          const prev = this.nodes.get(r.node_id)
          this.nodes.set(r.node_id, { ...r, ip: req.socket.remoteAddress ?? '', connected: prev?.connected ?? true, last_seen: Math.floor(Date.now() / 1000) })
          res.writeHead(204).end()
        } catch {
          res.writeHead(400).end()
        }
      })
      return
    }
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"Not found"}')
  }

  private async stream(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const have = Number(url.searchParams.get('version') ?? '-1')
    const haveHash = url.searchParams.get('hash') ?? ''
    const nodeId = url.searchParams.get('node_id') ?? 'unknown'
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
    this.bus.on('events', live)
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
    this.nodes.set(nodeId, {
      node_id: nodeId,
      hostname: url.searchParams.get('hostname') ?? '',
      version: prev?.version ?? have,
      hash: prev?.hash ?? haveHash,
      ip: req.socket.remoteAddress ?? '',
      connected: true,
      last_seen: Math.floor(Date.now() / 1000),
    })
    this.log.info('proxy connected', { node_id: nodeId, version: have })
    const done = () => {
      this.bus.off('events', live)
      this.clients.delete(res)
      const n = this.nodes.get(nodeId)
      if (n) n.connected = false
    }
    res.on('close', done)
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
