// Password hashing for basicauth_credentials: salted scrypt in a PHC-style string, where Kong stores an
// unsalted-by-secret sha1(password .. consumer_id). The parameters travel with the hash, so they can be raised.
import { randomBytes, scrypt, scryptSync, timingSafeEqual } from 'node:crypto'

const PREFIX = '$scrypt$'
// N=2^14, r=8, p=1: scrypt's "interactive login" parameters (16 MiB, tens of ms); the proxy caches results
const LOG_N = 14
const R = 8
const P = 1
const KEY_LENGTH = 32
const SALT_LENGTH = 16
const PHC = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]{16,})\$([A-Za-z0-9+/]{16,})$/

const b64 = (b: Buffer) => b.toString('base64').replace(/=+$/, '')
const maxmem = (n: number, r: number) => 128 * n * r + 1024 * 1024

/** True for a value this module produced (a write that carries the stored hash keeps it as is). */
export function isPasswordHash(value: string): boolean {
  return PHC.test(value)
}

/** Hash on the admin: one synchronous hash per credential write. */
export function hashPassword(password: string, salt: Buffer = randomBytes(SALT_LENGTH)): string {
  const n = 2 ** LOG_N
  const key = scryptSync(password, salt, KEY_LENGTH, { N: n, r: R, p: P, maxmem: maxmem(n, R) })
  return `${PREFIX}ln=${LOG_N},r=${R},p=${P}$${b64(salt)}$${b64(key)}`
}

/** Verify off the event loop (libuv thread pool); a malformed or absurdly expensive hash never verifies. */
export function verifyPassword(password: string, stored: string): Promise<boolean> {
  const m = PHC.exec(stored)
  if (!m) return Promise.resolve(false)
  const [, ln, r, p, salt, expected] = m
  const n = 2 ** Number(ln)
  const want = Buffer.from(expected, 'base64')
  if (Number(ln) < 1 || Number(ln) > 20 || Number(r) < 1 || Number(p) < 1 || Number(p) > 16) return Promise.resolve(false)
  return new Promise((resolve) => {
    scrypt(password, Buffer.from(salt, 'base64'), want.length, { N: n, r: Number(r), p: Number(p), maxmem: maxmem(n, Number(r)) }, (err, got) => {
      resolve(!err && got.length === want.length && timingSafeEqual(got, want))
    })
  })
}
