// The proxy side of the cluster channel: follows the admin's SSE stream from the version it holds,
// applies snapshots and ordered events to its ConfigState, reconnects with backoff, and reports back.
// With several control planes listed, a lost or refused connection moves on to the next one, which is asked
// for what follows the version held (events, or a snapshot when its history differs).
import { request, type IncomingMessage } from 'node:http'
import { hostname } from 'node:os'
import { CLUSTER_HEALTH_PATH, CLUSTER_PATH, CLUSTER_REPORT_PATH, CLUSTER_SNAPSHOT_PATH, type Broadcast, type ChangeEvent, type HealthOverride, type HealthReport, type Logger, type Snapshot } from '@postern/shared'
import type { ConfigState } from '../runtime/state.ts'

export interface SubscriberOptions {
  /** `host:port` of each control plane, in failover order. */
  controlPlanes: string[]
  /** Read at each connection: a token file written by the admin may appear after the proxy started. */
  token(): string | undefined
  nodeId: string
  state: ConfigState
  log: Logger
  /** Called after the state changed (coalescing is the caller's job): `events` when it advanced by those
   * events, nothing when a whole snapshot replaced it. */
  onChange(events?: ChangeEvent[]): void
  /** Called with each broadcast (a non-configuration message for a plugin, e.g. a proxy-cache purge). */
  onBroadcast?(b: Broadcast): void
  /** Admin-set target health (SSE `health`). */
  onHealth?(o: HealthOverride): void
  /** Each time the channel (re)connects, so the caller can send what the admin may have lost. */
  onConnect?(): void
}

const WATCHDOG_MS = 15_000

export class ClusterSubscriber {
  private req?: ReturnType<typeof request>
  private stopped = false
  private backoff = 200
  private watchdog?: NodeJS.Timeout
  connected = false
  private planes: { host: string; port: number; name: string }[]
  private index = 0
  /** Failed attempts since the last good connection; backoff grows once every plane was tried. */
  private failures = 0

  constructor(private o: SubscriberOptions) {
    if (!o.controlPlanes.length) throw new Error('no control plane configured')
    this.planes = o.controlPlanes.map((cp) => {
      const m = cp.replace(/^https?:\/\//, '').match(/^\[?([^\]]+?)\]?(?::(\d+))?$/)!
      return { host: m[1], port: Number(m[2] ?? 8005), name: cp }
    })
  }

  private get host(): string {
    return this.planes[this.index].host
  }

  private get port(): number {
    return this.planes[this.index].port
  }

  /** The control plane followed now (or tried next). */
  get controlPlane(): string {
    return this.planes[this.index].name
  }

  private headers(): Record<string, string> {
    const token = this.o.token()
    return token ? { authorization: `Bearer ${token}` } : {}
  }

  /** Connect; resolves true once the first message was applied, false if the admin stays unreachable
   * for `firstTimeoutMs` (retries go on in the background either way). */
  start(firstTimeoutMs = 1500): Promise<boolean> {
    return new Promise((resolve) => {
      let settled = false
      const settle = (v: boolean) => {
        if (!settled) {
          settled = true
          resolve(v)
        }
      }
      setTimeout(() => settle(false), firstTimeoutMs) // not unref'd: start-up waits on it
      this.firstMessage = () => settle(true)
      this.connect()
    })
  }

  private firstMessage?: () => void

  private connect(): void {
    if (this.stopped) return
    const s = this.o.state
    const q = new URLSearchParams({ version: String(s.version), hash: s.hash, node_id: this.o.nodeId, hostname: hostname() })
    const req = request({ host: this.host, port: this.port, path: `${CLUSTER_PATH}?${q}`, headers: { accept: 'text/event-stream', ...this.headers() } })
    this.req = req
    req.on('response', (res) => {
      if (res.statusCode !== 200) {
        this.o.log.error('cluster channel refused', { status: res.statusCode })
        res.resume()
        return this.retry()
      }
      this.connected = true
      this.backoff = 200
      this.failures = 0
      this.o.log.info('connected to control plane', { cp: this.controlPlane, version: s.version })
      this.read(res, this.firstMessage)
      this.o.onConnect?.()
    })
    req.on('error', (err) => {
      this.connected = false
      this.o.log.debug('cluster channel error', { error: err.message })
      this.retry()
    })
    req.end()
  }

  private read(res: IncomingMessage, onFirst?: () => void): void {
    let buf = ''
    this.kick()
    res.setEncoding('utf8')
    res.on('data', (chunk: string) => {
      this.kick()
      buf += chunk
      let idx
      while ((idx = buf.indexOf('\n\n')) >= 0) {
        const frame = buf.slice(0, idx)
        buf = buf.slice(idx + 2)
        this.frame(frame)
        onFirst?.()
        onFirst = undefined
      }
    })
    res.on('close', () => {
      this.connected = false
      if (!this.stopped) this.o.log.warn('control plane connection lost; serving the last configuration')
      this.retry()
    })
  }

  private frame(frame: string): void {
    let event = 'message'
    let data = ''
    for (const line of frame.split('\n')) {
      if (line.startsWith('event: ')) event = line.slice(7)
      else if (line.startsWith('data: ')) data += line.slice(6)
    }
    if (!data) return
    const msg = JSON.parse(data)
    const s = this.o.state
    if (event === 'snapshot') {
      s.load(msg.snapshot as Snapshot)
      this.o.onChange()
    } else if (event === 'events') {
      this.o.log.debug('events received', { count: msg.events.length, last: msg.events[msg.events.length - 1]?.version })
      const before = s.version
      if (!s.apply(msg.events as ChangeEvent[])) {
        this.o.log.warn('gap in change events; fetching a snapshot', { have: s.version })
        this.fetchSnapshot()
      } else if (s.version !== before) this.o.onChange((msg.events as ChangeEvent[]).filter((e) => e.version > before))
    } else if (event === 'broadcast') {
      this.o.onBroadcast?.(msg.broadcast as Broadcast)
    } else if (event === 'health') {
      this.o.onHealth?.(msg as HealthOverride)
    } else if (event === 'heartbeat') {
      if (msg.version > s.version) this.fetchSnapshot()
    }
  }

  private fetchSnapshot(): void {
    const req = request({ host: this.host, port: this.port, path: CLUSTER_SNAPSHOT_PATH, headers: this.headers() }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (d) => (body += d))
      res.on('end', () => {
        try {
          const snap = JSON.parse(body) as Snapshot
          if (snap.version >= this.o.state.version) {
            this.o.state.load(snap)
            this.o.onChange()
          }
        } catch (e) {
          this.o.log.error('bad snapshot from control plane', { error: String(e) })
        }
      })
    })
    req.on('error', () => {})
    req.end()
  }

  /** Tell the admin which version this node has applied (best effort). */
  report(version: number, hash: string): void {
    if (this.stopped) return
    const body = JSON.stringify({ node_id: this.o.nodeId, hostname: hostname(), version, hash })
    const req = request({ host: this.host, port: this.port, method: 'POST', path: CLUSTER_REPORT_PATH, headers: { 'content-type': 'application/json', ...this.headers() } })
    req.on('response', (r) => r.resume())
    req.on('error', () => {})
    req.end(body)
  }

  /** Send this proxy's balancer health to the admin (best effort; the next change or reconnect sends it again). */
  reportHealth(upstreams: HealthReport['upstreams']): void {
    if (this.stopped) return
    const body = JSON.stringify({ node_id: this.o.nodeId, upstreams } satisfies HealthReport)
    const req = request({ host: this.host, port: this.port, method: 'POST', path: CLUSTER_HEALTH_PATH, headers: { 'content-type': 'application/json', ...this.headers() } })
    req.on('response', (r) => r.resume())
    req.on('error', () => {})
    req.end(body)
  }

  private kick(): void {
    clearTimeout(this.watchdog)
    this.watchdog = setTimeout(() => {
      this.o.log.warn('no heartbeat from control plane; reconnecting')
      this.req?.destroy()
    }, WATCHDOG_MS)
    this.watchdog.unref()
  }

  private retrying = false

  private retry(): void {
    clearTimeout(this.watchdog)
    if (this.stopped || this.retrying) return
    this.retrying = true
    // next control plane at once; the backoff applies once a whole round of them failed
    this.failures++
    const wasIndex = this.index
    this.index = (this.index + 1) % this.planes.length
    if (this.planes.length > 1) this.o.log.warn('switching control plane', { from: this.planes[wasIndex].name, to: this.controlPlane })
    const roundDone = this.failures % this.planes.length === 0
    const delay = roundDone ? this.backoff * (0.75 + Math.random() * 0.5) : 20
    if (roundDone) this.backoff = Math.min(this.backoff * 2, 5000)
    setTimeout(() => {
      this.retrying = false
      this.connect()
    }, delay).unref()
  }

  stop(): void {
    this.stopped = true
    clearTimeout(this.watchdog)
    this.req?.destroy()
  }
}
