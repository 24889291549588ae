// The log phase: one LogSummary per finished request (Kong's kong.log.serialize built only when a logging
// plugin asks), handed to every plugin of the request, including those that an exit kept from running.
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { KongLogEntry, LogSummary } from '@postern/shared'
import type { PluginInstance } from '../runtime/runtime.ts'
import type { RequestState } from './context.ts'
import { sentHeaders } from '../upstream/forward.ts'

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

export class Summary implements LogSummary {
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
    const uri = s.req.url ?? '/'
    const consumer = s.consumer
    this.entry = {
      request: { id: s.requestId, uri, url: `${i.scheme}://${i.host}:${i.port}${uri}`, querystring: this.query(), method: i.method, headers: { ...this.requestHeaders() }, size: this.requestSize },
      upstream_uri: this.o.upstreamUri,
      upstream_status: this.o.source === 'service' ? String(this.o.status) : '',
      response: { status: this.o.status, headers: { ...sentHeaders(this.res) }, size: this.responseSize },
      latencies: this.kongLatencies(),
      tries: [],
      client_ip: i.clientIp,
      started_at: this.startedAt,
      source: this.o.source === 'service' ? 'upstream' : 'kong',
      route: s.route,
      service: s.service,
      consumer: consumer as KongLogEntry['consumer'],
      authenticated_entity: this.authenticated(),
      workspace: DEFAULT_WORKSPACE_ID,
      workspace_name: 'default',
    }
    return this.entry!
  }

  /** The same text as JSON.stringify(serialize()), without building the entry: route, service and consumer JSON come from a per-entity cache. */
  serializedJson(): string {
    if (this.entry) return JSON.stringify(this.entry)
    const s = this.s
    const i = s.info
    const o = this.o
    const uri = s.req.url ?? '/'
    const l = this.kongLatencies()
    const q = i.rawQuery === '' ? '{}' : JSON.stringify(this.query())
    return `{"request":{"id":"${s.requestId}","uri":${JSON.stringify(uri)},"url":${JSON.stringify(`${i.scheme}://${i.host}:${i.port}${uri}`)},"querystring":${q},"method":${JSON.stringify(i.method)},"headers":${JSON.stringify(this.requestHeaders())},"size":${this.requestSize}},` +
      `"upstream_uri":${JSON.stringify(o.upstreamUri)},"upstream_status":"${o.source === 'service' ? o.status : ''}",` +
      `"response":{"status":${o.status},"headers":${JSON.stringify(sentHeaders(this.res))},"size":${this.responseSize}},` +
      `"latencies":{"kong":${l.kong},"proxy":${l.proxy},"request":${l.request},"receive":0},"tries":[],"client_ip":${JSON.stringify(i.clientIp)},"started_at":${this.startedAt},` +
      `"source":"${o.source === 'service' ? 'upstream' : 'kong'}","route":${entityJson(s.route)},"service":${entityJson(s.service)},"consumer":${entityJson(s.consumer)},` +
      `"authenticated_entity":${JSON.stringify(this.authenticated())},"workspace":"${DEFAULT_WORKSPACE_ID}","workspace_name":"default"}`
  }

  /** The client's headers with credentials redacted (the request's own object when there are none to redact). */
  private requestHeaders(): Record<string, unknown> {
    const h = this.s.req.headers
    if (h.authorization === undefined && h['proxy-authorization'] === undefined) return h
    const headers: Record<string, unknown> = { ...h }
    if (headers.authorization !== undefined) headers.authorization = 'REDACTED'
    if (headers['proxy-authorization'] !== undefined) headers['proxy-authorization'] = 'REDACTED'
    return headers
  }

  private query(): Record<string, unknown> {
    const query: Record<string, unknown> = {}
    const raw = this.s.info.rawQuery
    if (raw === '') return query
    for (const [k, v] of this.s.getQuery()) {
      const prev = query[k]
      // Kong's get_query: a repeated name becomes a list, a bare name is `true`
      const value = v === '' && !raw.includes(`${k}=`) ? true : v
      query[k] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value]
    }
    return query
  }

  private kongLatencies(): KongLogEntry['latencies'] {
    const o = this.o
    return { kong: Math.round(this.latencies.proxy), proxy: o.source === 'service' ? Math.round(o.upstream) : -1, request: Math.round(o.total), receive: 0 }
  }

  private authenticated(): KongLogEntry['authenticated_entity'] {
    const s = this.s
    return s.credential ? ({ id: s.credential.id, consumer_id: s.consumer?.id } as { id: string }) : null
  }
}

/** Runtime entities are never mutated (a config change replaces them), so their JSON is made once. */
const entityJsonCache = new WeakMap<object, string>()
function entityJson(e: object | null | undefined): string {
  if (e === null || e === undefined) return 'null'
  let j = entityJsonCache.get(e)
  if (j === undefined) entityJsonCache.set(e, (j = JSON.stringify(e)))
  return j
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
