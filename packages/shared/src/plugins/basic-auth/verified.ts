// Verified credentials per plugin instance, so scrypt runs once per (header, stored hash) rather than per
// request, and a repeated header is answered without parsing it again. Keys are a keyed sha256 of the
// header value (never the header or the password itself); each verdict remembers the username and the
// stored hash it was checked against, so a changed password or a deleted credential misses. The cache
// lives in the compiled config, so any configuration change starts it empty.
import { hash, randomBytes } from 'node:crypto'

const MAX_ENTRIES = 10_000
// per-process pepper: a key copied out of the proxy is of no use against another process's cache
const PEPPER = randomBytes(32).toString('base64')

export interface Verdict {
  username: string
  stored: string
  ok: boolean
}

export class VerifiedPasswords {
  private results = new Map<string, Verdict>()
  private pending = new Map<string, Promise<boolean>>()

  constructor(private readonly max = MAX_ENTRIES) {}

  /** One-shot digest (no Hash object per request); 'binary' (latin1) output is the cheapest string Node makes of it. */
  static keyOf(header: string): string {
    return hash('sha256', PEPPER + header, 'binary')
  }

  /** The verdict remembered for this key, or undefined when it was never checked. */
  get(key: string): Verdict | undefined {
    return this.results.get(key)
  }

  /** Run `verify` once per key, sharing the promise between concurrent requests, and remember the verdict. */
  check(key: string, username: string, stored: string, verify: () => Promise<boolean>): Promise<boolean> {
    let p = this.pending.get(key)
    if (p) return p
    p = verify().then((ok) => {
      this.pending.delete(key)
      if (this.results.size >= this.max) this.results.delete(this.results.keys().next().value as string)
      this.results.set(key, { username, stored, ok })
      return ok
    })
    this.pending.set(key, p)
    return p
  }

  get size(): number {
    return this.results.size
  }
}
