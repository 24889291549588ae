// Verified (credential, password) pairs per plugin instance, so scrypt runs once per pair rather than per
// request. Keys are a keyed sha256 of the stored hash and the given password (never the password itself);
// the cache lives in the compiled config, so any configuration change starts it empty.
import { hash, randomBytes } from 'node:crypto'

const MAX_ENTRIES = 10_000
// per-process pepper: a key seen in a heap dump cannot be brute-forced back to a password offline
const PEPPER = randomBytes(32).toString('base64')

export class VerifiedPasswords {
  private results = new Map<string, boolean>()
  private pending = new Map<string, Promise<boolean>>()

  constructor(private readonly max = MAX_ENTRIES) {}

  static keyOf(storedHash: string, password: string): string {
    // one-shot: no Hash object per request
    return hash('sha256', `${PEPPER}\0${storedHash}\0${password}`, 'base64url')
  }

  /** The known answer for this key, or undefined when it was never checked. */
  get(key: string): boolean | undefined {
    return this.results.get(key)
  }

  /** Run `verify` once per key, sharing the promise between concurrent requests, and remember the answer. */
  check(key: string, verify: () => Promise<boolean>): Promise<boolean> {
    let p = this.pending.get(key)
    if (p) return p
    p = verify().then((ok) => {
      this.pending.delete(key)
      if (this.results.size >= this.max) this.results.delete(this.results.keys().next().value as string)
      this.results.set(key, ok)
      return ok
    })
    this.pending.set(key, p)
    return p
  }

  get size(): number {
    return this.results.size
  }
}
