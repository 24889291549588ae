// Kong's plugin queue (kong/tools/queue.lua) for the logging plugins: entries are batched off the request
// path, sent one batch at a time, retried with exponential backoff for up to max_retry_time, and bounded in
// memory (the oldest entries are dropped when full, and that is logged once per minute, not per entry).
import { z } from 'zod'
import type { PdkLogger } from '../../pdk/index.ts'

/** Kong's `typedefs.queue` record; a plugin may change the default batch size (opentelemetry: 200). */
export function queueRecord(maxBatchSize = 1) {
  const fields = z.strictObject({
    max_batch_size: z.int().min(1).max(1_000_000).default(maxBatchSize),
    max_coalescing_delay: z.number().min(0).max(3600).default(1),
    max_entries: z.int().min(1).max(1_000_000).default(10_000),
    max_bytes: z.int().min(1).nullable().default(null),
    max_retry_time: z.number().default(60),
    initial_retry_delay: z.number().min(0.001).max(1_000_000).default(0.01),
    max_retry_delay: z.number().min(0.001).max(1_000_000).default(60),
    concurrency_limit: z.union([z.literal(-1), z.literal(1)]).default(1),
  })
  return fields.default(fields.parse({}))
}
export const queueSchema = queueRecord()
export type QueueConfig = z.output<typeof queueSchema>

/**
 * Entries are held as bytes (Buffers live outside V8's heap): a batch of a thousand 1–2 KB strings kept for
 * max_coalescing_delay would otherwise be copied by every young-generation GC and then promoted.
 */
export type Sender = (batch: Buffer[]) => Promise<void>

const WARN_EVERY_MS = 60_000

export class LogQueue {
  private entries: Buffer[] = []
  private bytes = 0
  private timer: NodeJS.Timeout | undefined
  private sending = false
  private lastDropWarning = 0
  private lastSendWarning = 0
  /** Entries dropped because the queue was full, and batches given up after max_retry_time. */
  dropped = 0
  failedBatches = 0

  constructor(private readonly name: string, private readonly conf: QueueConfig, private send: Sender, private log: PdkLogger) {}

  /** The sender and logger of the newest configuration (a queue outlives config rebuilds). */
  update(send: Sender, log: PdkLogger): void {
    this.send = send
    this.log = log
  }

  add(text: string): void {
    const c = this.conf
    const entry = Buffer.from(text)
    while (this.entries.length >= c.max_entries || (c.max_bytes !== null && this.bytes + entry.length > c.max_bytes && this.entries.length)) {
      this.bytes -= this.entries.shift()!.length
      this.dropped++
      this.warnDrop()
    }
    this.entries.push(entry)
    this.bytes += entry.length
    if (this.entries.length >= c.max_batch_size) this.schedule(0)
    else this.schedule(c.max_coalescing_delay * 1000)
  }

  get pending(): number {
    return this.entries.length
  }

  private warnDrop(): void {
    const now = Date.now()
    if (now - this.lastDropWarning < WARN_EVERY_MS) return
    this.lastDropWarning = now
    this.log.warn(`${this.name}: queue full, dropping old entries`, { max_entries: this.conf.max_entries })
  }

  private schedule(ms: number): void {
    if (this.sending) return
    if (this.timer && ms > 0) return
    if (this.timer) clearTimeout(this.timer)
    this.timer = setTimeout(() => this.flush(), ms)
    this.timer.unref()
  }

  private async flush(): Promise<void> {
    this.timer = undefined
    if (this.sending || !this.entries.length) return
    this.sending = true
    const batch = this.entries.splice(0, this.conf.max_batch_size)
    for (const e of batch) this.bytes -= e.length
    const started = Date.now()
    let delay = this.conf.initial_retry_delay * 1000
    for (;;) {
      try {
        await this.send(batch)
        break
      } catch (e) {
        if (Date.now() - started + delay > this.conf.max_retry_time * 1000) {
          this.failedBatches++
          this.warnSend(`${this.name}: could not send entries, giving up after max_retry_time`, e, batch.length)
          break
        }
        this.warnSend(`${this.name}: could not send entries, retrying`, e, batch.length)
        await new Promise((r) => setTimeout(r, delay).unref())
        delay = Math.min(delay * 2, this.conf.max_retry_delay * 1000)
      }
    }
    this.sending = false
    if (this.entries.length) this.schedule(this.entries.length >= this.conf.max_batch_size ? 0 : this.conf.max_coalescing_delay * 1000)
  }

  private warnSend(msg: string, e: unknown, n: number): void {
    const now = Date.now()
    if (now - this.lastSendWarning < WARN_EVERY_MS) return
    this.lastSendWarning = now
    this.log.error(msg, { entries: n, error: String((e as Error)?.message ?? e) })
  }
}

/** Queues by plugin instance and settings, kept across config rebuilds as Kong keys its queues. */
const queues = new Map<string, LogQueue>()

export function queueFor(key: string, name: string, conf: QueueConfig, send: Sender, log: PdkLogger): LogQueue {
  let q = queues.get(key)
  if (!q) queues.set(key, (q = new LogQueue(name, conf, send, log)))
  else q.update(send, log)
  return q
}
