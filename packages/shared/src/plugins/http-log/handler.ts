// http-log: each request's entry goes into the instance's queue; batches are POSTed as one JSON object
// (max_batch_size 1) or a JSON array, off the request path, retried with backoff (Kong's http-log).
import type { PluginContext, PluginHandler, LogSummary } from '../../pdk/index.ts'
import { queueFor, type QueueConfig, type Sender } from '../_logging/queue.ts'
import { compileCustomFields, renderEntry } from '../_logging/entry.ts'
import type { HttpLogConfig } from './schema.ts'

export interface HttpLogCompiled {
  url: string
  /** host:port for error messages: never the user info. */
  target: string
  method: string
  headers: Record<string, string>
  timeout: number
  queue: QueueConfig
  custom: ReturnType<typeof compileCustomFields>
  key: string
}

export function compile(c: HttpLogConfig): HttpLogCompiled {
  const u = new URL(c.http_endpoint)
  const headers: Record<string, string> = {}
  for (const [k, v] of Object.entries(c.headers ?? {})) headers[k.toLowerCase()] = v
  headers['content-type'] = c.content_type
  if (u.username) headers.authorization = `Basic ${Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64')}`
  u.username = ''
  u.password = ''
  // the deprecated fields still shape the queue when the queue record was left at its defaults (Kong's shim)
  const queue = { ...c.queue }
  if (c.queue_size !== null && queue.max_batch_size === 1) queue.max_batch_size = c.queue_size
  if (c.flush_timeout !== null && queue.max_coalescing_delay === 1) queue.max_coalescing_delay = c.flush_timeout
  return {
    url: u.toString(),
    target: `${u.hostname}:${u.port || (u.protocol === 'https:' ? 443 : 80)}`,
    method: c.method,
    headers,
    timeout: c.timeout,
    queue,
    custom: compileCustomFields(c.custom_fields),
    key: JSON.stringify([c.http_endpoint, c.method, c.content_type, c.headers, queue]),
  }
}


/** Per compiled instance: its queue key and sender, made on its first request rather than on every one. */
const bound = new WeakMap<HttpLogCompiled, { key: string; http: PluginContext['http']; send: Sender }>()

function sender(conf: HttpLogCompiled, http: PluginContext['http']): Sender {
  return async (batch: Buffer[]) => {
    const body = conf.queue.max_batch_size === 1 ? batch[0] : jsonArray(batch)
    const res = await http.request(conf.url, { method: conf.method, headers: conf.headers, body, timeoutMs: conf.timeout, verifyTls: false }).catch((e) => {
      throw new Error(`failed request to ${conf.target}: ${(e as Error).message}`)
    })
    if (res.status >= 300) throw new Error(`request to ${conf.target} returned status code ${res.status}`)
  }
}

const OPEN = Buffer.from('[')
const COMMA = Buffer.from(',')
const CLOSE = Buffer.from(']')

/** `[e1,e2,…]` from the entries' bytes, in one copy. */
function jsonArray(batch: Buffer[]): Buffer {
  const parts: Buffer[] = [OPEN]
  for (let i = 0; i < batch.length; i++) {
    if (i > 0) parts.push(COMMA)
    parts.push(batch[i])
  }
  parts.push(CLOSE)
  return Buffer.concat(parts)
}

function log(ctx: PluginContext<HttpLogCompiled>, summary: LogSummary): void {
  const conf = ctx.config
  let b = bound.get(conf)
  if (b === undefined || b.http !== ctx.http) bound.set(conf, (b = { key: `http-log|${ctx.pluginId}|${conf.key}`, http: ctx.http, send: sender(conf, ctx.http) }))
  queueFor(b.key, 'http-log', conf.queue, b.send, ctx.log).add(renderEntry(summary, conf.custom))
}

export const handler: PluginHandler<HttpLogCompiled> = { log }
