// Deadlines without a node timer per request: items are kept in an intrusive list ordered by deadline, and one
// unref'd native timer is set for the earliest. Arming and disarming link and unlink two pointers. The proxy
// arms a read timeout for every upstream request, always `read_timeout` ahead of now, so a list per timeout
// length only ever appends at its tail; node's setTimeout + clearTimeout per request (a Timeout object, the
// libuv clock, node's own list) showed as ~1 % of a proxied request in perf profiles.

/** The fields an item carries while it is in a DeadlineList (the list owns them). */
export interface Deadlined {
  /** performance.now() at which the item is due; -1 while it is in no list. */
  deadline: number
  dlPrev: Deadlined | null
  dlNext: Deadlined | null
  dlList: DeadlineList<any> | null
}

/** The fields' initial values, for an item's constructor or literal. */
export const UNLISTED = { deadline: -1, dlPrev: null, dlNext: null, dlList: null } as const

export class DeadlineList<T extends Deadlined> {
  private head: T | null = null
  private tail: T | null = null
  private timer: NodeJS.Timeout | null = null
  private timerDue = Infinity
  private firing = false
  private readonly onTimer = () => this.fire()

  /**
   * `check(item, now)` runs once an item is due (it is out of the list by then): it returns a new deadline to
   * stay, or -1. libuv's clock is in whole ms, so a check may run up to 1 ms before performance.now() says due.
   */
  constructor(private readonly check: (item: T, now: number) => number) {}

  /** Puts `item` in this list due at `deadline` (moving it from wherever it was). */
  add(item: T, deadline: number): void {
    if (item.dlList !== null) item.dlList.remove(item)
    item.deadline = deadline
    item.dlList = this
    // from the tail back: deadlines `ms` ahead of now arrive in order, only a re-armed item walks further
    let before = this.tail
    while (before !== null && before.deadline > deadline) before = before.dlPrev as T | null
    item.dlPrev = before
    item.dlNext = before === null ? this.head : before.dlNext
    if (item.dlNext === null) this.tail = item
    else item.dlNext.dlPrev = item
    if (before === null) this.head = item
    else before.dlNext = item
    if (!this.firing && deadline < this.timerDue) this.arm(deadline)
  }

  /** Takes `item` out (a no-op when it is in no list). */
  remove(item: T): void {
    if (item.dlList !== this) return
    const prev = item.dlPrev as T | null
    const next = item.dlNext as T | null
    if (prev === null) this.head = next
    else prev.dlNext = next
    if (next === null) this.tail = prev
    else next.dlPrev = prev
    item.dlPrev = item.dlNext = null
    item.dlList = null
    item.deadline = -1
    // the timer stays set: when it fires for an empty list it is simply not set again
  }

  /** Items in the list (tests). */
  get size(): number {
    let n = 0
    for (let i = this.head; i !== null; i = i.dlNext as T | null) n++
    return n
  }

  private arm(deadline: number): void {
    if (this.timer !== null) clearTimeout(this.timer)
    this.timerDue = deadline
    this.timer = setTimeout(this.onTimer, Math.max(1, Math.ceil(deadline - performance.now())))
    this.timer.unref() // an item waits on a socket, which keeps the process alive on its own
  }

  private fire(): void {
    this.timer = null
    this.timerDue = Infinity
    const now = performance.now()
    this.firing = true
    try {
      for (let item = this.head; item !== null && item.deadline <= now + 1; item = this.head) {
        this.remove(item)
        const next = this.check(item, now)
        if (next >= 0) this.add(item, Math.max(next, now + 2)) // never due again in this same pass
      }
    } finally {
      this.firing = false
      if (this.head !== null) this.arm(this.head.deadline)
    }
  }
}
