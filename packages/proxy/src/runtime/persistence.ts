// How a proxy keeps its configuration on disk so it can start without the admin: each applied event batch
// is appended to the journal at once; the whole snapshot is rewritten only after a snapshot from the admin
// (debounced) or to compact a long journal. Used by the single process and by the workers' primary alike.
import type { ChangeEvent, Logger } from '@postern/shared'
import { appendConfigJournal, writeConfigCache } from './cache-file.ts'
import type { ConfigState } from './state.ts'

const COMPACT_AFTER = 5000

export class ConfigPersistence {
  private timer: NodeJS.Timeout | undefined
  private journaled = 0

  constructor(private prefix: string, private state: ConfigState, private runtimeOnly: Set<string>, private log: Logger) {}

  /** Record a change: `undefined` after an admin snapshot (rewrite soon), else the events just applied. */
  changed(events?: ChangeEvent[]): void {
    if (!events) return this.schedule(100)
    if (this.timer) return // a full rewrite is coming and will include these
    try {
      // rows of runtime-only entities (oauth2 tokens) never reach the disk: their events keep only the version
      appendConfigJournal(this.prefix, events.map((e) => (this.runtimeOnly.has(e.entity) ? { ...e, payload: { id: e.id } } : e)))
      this.journaled += events.length
      if (this.journaled > COMPACT_AFTER) this.schedule(1000)
    } catch (e) {
      this.log.error('could not append to the config journal', { error: String(e) })
      this.schedule(100)
    }
  }

  /** Write a pending rewrite now (on stop). */
  flush(): void {
    if (!this.timer) return
    clearTimeout(this.timer)
    this.write()
  }

  private schedule(ms: number): void {
    if (!this.timer) this.timer = setTimeout(() => this.write(), ms)
  }

  private write(): void {
    this.timer = undefined
    try {
      writeConfigCache(this.prefix, this.state.toSnapshot())
      this.journaled = 0
    } catch (e) {
      this.log.error('could not persist config cache', { error: String(e) })
    }
  }
}
