// Hands committed events to the bus strictly in version order, without gaps or repeats: this admin's own
// commits at once, and (on a shared Postgres database) other admins' commits read back from the event
// table by version whenever a NOTIFY arrives or the LISTEN connection comes back.
import type { EventEmitter } from 'eventemitter3'
import type { ChangeEvent } from '@postern/shared'
import type { Db, Head } from './database.ts'
import type { EventLog } from './events.ts'

export class EventFeed {
  /** The newest version handed to the bus (what this admin's proxies are told they can reach). */
  published: Head = { version: 0, hash: '' }
  private chain: Promise<void> = Promise.resolve()
  private busy = false
  private stopListening: (() => Promise<void>) | null = null

  constructor(private events: EventLog, private bus: EventEmitter) {}

  async start(db: Db): Promise<void> {
    this.published = await this.events.head()
    this.stopListening = await db.subscribe((version) => {
      if (version === null || version > this.published.version) this.catchUp()
    })
  }

  async stop(): Promise<void> {
    await this.stopListening?.()
    this.stopListening = null
  }

  /** This admin committed `events`: deliver now when they follow on, else after reading the gap. */
  committed(events: ChangeEvent[]): void {
    if (!this.busy && events[0].version === this.published.version + 1) return this.deliver(events)
    this.enqueue(async () => {
      if (events[events.length - 1].version <= this.published.version) return
      if (events[0].version > this.published.version + 1) return this.read()
      this.deliver(events.filter((e) => e.version > this.published.version))
    })
  }

  /** Read whatever was committed after the published version (another admin's writes). */
  catchUp(): void {
    this.enqueue(() => this.read())
  }

  /** Resolves once everything queued so far has been delivered. */
  settled(): Promise<void> {
    return this.chain
  }

  private enqueue(step: () => Promise<void> | void): void {
    this.busy = true
    const run = async () => {
      try {
        await step()
      } catch {
        // the next notification or reconnect reads again from the same version
      }
    }
    const p = this.chain.then(run)
    this.chain = p
    p.then(() => {
      if (this.chain === p) this.busy = false
    })
  }

  private async read(): Promise<void> {
    for (;;) {
      const missing = await this.events.since(this.published.version, 1000)
      if (!missing || !missing.length) return
      this.deliver(missing)
      if (missing.length < 1000) return
    }
  }

  private deliver(events: ChangeEvent[]): void {
    if (!events.length) return
    const last = events[events.length - 1]
    this.published = { version: last.version, hash: last.hash }
    this.bus.emit('events', events)
  }
}
