// Single-flight: concurrent misses for one key share one in-flight call, so a burst of requests carrying
// the same new token costs the identity provider one introspection, not one per request.
export class SingleFlight<T> {
  private inflight = new Map<string, Promise<T>>()

  /** Run `fn` for `key`, or join the call already running for it. */
  run(key: string, fn: () => Promise<T>): Promise<T> {
    const running = this.inflight.get(key)
    if (running) return running
    // The entry goes as soon as the call settles (success or failure), so a failure is never replayed.
    const p = fn().finally(() => this.inflight.delete(key))
    this.inflight.set(key, p)
    return p
  }

  /** Calls in flight right now (for tests and metrics). */
  get size(): number {
    return this.inflight.size
  }
}
