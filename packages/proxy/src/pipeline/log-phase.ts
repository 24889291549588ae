// The log phase: one LogSummary per finished request (Kong's kong.log.serialize built only when a logging
// plugin asks), handed to every plugin of the request, including those that an exit kept from running.
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { KongLogEntry, LogSummary } from '@postern/shared'
import type { PluginInstance } from '../runtime/runtime.ts'
import type { RequestState } from './context.ts'

/** Bytes of the request line and headers as the client sent them (nginx's request_length, less the body). */
function requestHeadBytes(req: IncomingMessage): number {
  let n = (req.method?.length ?? 0) + (req.url?.length ?? 0) + 12 // "M URL HTTP/1.1\r\n"
  const raw = req.rawHeaders
  for (let i = 0; i < raw.length; i += 2) n += raw[i].length + raw[i + 1].length + 4
  return n + 2
}

export interface Outcome {
  status: number
  source: 'service' | 'kong'
  /** ms since the request arrived, and of those the upstream's. */
  total: number
  upstream: number
  upstreamUri: string
  /** socket.bytesWritten when this request began, to count only its response. */
  writtenBefore: number
  reason?: string
}

class Summary implements LogSummary {
  readonly status: number
  readonly latencies: LogSummary['latencies']
  readonly source: 'service' | 'kong'
  readonly reason?: string
  private entry?: KongLogEntry

  constructor(private s: RequestState, private res: ServerResponse, private o: Outcome, private startedAt: number) {
    this.status = o.status
    this.source = o.source
    this.reason = o.reason
    this.latencies = { proxy: Math.max(0, o.total - o.upstream), upstream: o.upstream, total: o.total }
  }

  get requestSize(): number {
    const body = Number(this.s.req.headers['content-length'] ?? 0) || 0
    return requestHeadBytes(this.s.req) + body
  }

  get responseSize(): number {
    return Math.max(0, this.s.req.socket.bytesWritten - this.o.writtenBefore)
  }

  serialize(): KongLogEntry {
    if (this.entry) return this.entry
    const s = this.s
    const i = s.info
    const headers: Record<string, unknown> = { ...s.req.headers }
    if (headers.authorization !== undefined) headers.authorization = 'REDACTED'
    if (headers['proxy-authorization'] !== undefined) headers['proxy-authorization'] = 'REDACTED'
    const uri = s.req.url ?? '/'
    const query: Record<string, unknown> = {}
    for (const [k, v] of s.getQuery()) {
      const prev = query[k]
      // Kong's get_query: a repeated name becomes a list, a bare name is `true`
      const value = v === '' && !i.rawQuery.includes(`${k}=`) ? true : v
      query[k] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value]
    }
    const consumer = s.consumer
    this.entry = {
      request: { id: s.requestId, uri, url: `${i.scheme}://${i.host}:${i.port}${uri}`, querystring: query, method: i.method, headers, size: this.requestSize },
      upstream_uri: this.o.upstreamUri,
      upstream_status: this.o.source === 'service' ? String(this.o.status) : '',
      response: { status: this.o.status, headers: this.res.getHeaders() as Record<string, unknown>, size: this.responseSize },
      latencies: { kong: Math.round(this.latencies.proxy), proxy: this.o.source === 'service' ? Math.round(this.o.upstream) : -1, request: Math.round(this.o.total), receive: 0 },
      tries: [],
      client_ip: i.clientIp,
      started_at: this.startedAt,
      source: this.o.source === 'service' ? 'upstream' : 'kong',
      route: s.route,
      service: s.service,
      consumer: consumer as KongLogEntry['consumer'],
      authenticated_entity: s.credential ? { id: s.credential.id, consumer_id: consumer?.id } as { id: string } : null,
      workspace: DEFAULT_WORKSPACE_ID,
      workspace_name: 'default',
    }
    return this.entry!
  }
}

/** Kong OSS has one workspace; its id is fixed per installation, Postern's is this constant. */
const DEFAULT_WORKSPACE_ID = '00000000-0000-4000-8000-000000000000'

/**
 * Run every log phase of the request. `ran` is completed with the instances an exit kept from their access
 * phase (Kong still collects them), so a global prometheus or http-log sees the 401s of auth plugins.
 */
export function runLogPhase(s: RequestState, ran: PluginInstance[], res: ServerResponse, o: Outcome, startedAt: number, onError: (plugin: string, e: unknown) => void): void {
  let summary: Summary | undefined
  for (const p of ran) {
    const log = p.def.handler.log
    if (!log) continue
    summary ??= new Summary(s, res, o, startedAt)
    try {
      log(s.contextFor(p.config, p.id), summary)
    } catch (e) {
      onError(p.name, e)
    }
  }
}
