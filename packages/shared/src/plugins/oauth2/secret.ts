// hash_secret: PBKDF2-SHA512 client secrets in Kong's PHC format, so credentials move between Kong and Postern.
import { pbkdf2, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto'

const PREFIX = '$pbkdf2-sha512$'
const ITERATIONS = 10_000
const KEY_LENGTH = 32
const SALT_LENGTH = 16
// `$pbkdf2-<digest>$i=<n>,l=<len>$<salt>$<hash>`; Kong writes standard base64 without padding.
const PHC = /^\$pbkdf2-(sha\d+)\$i=(\d+),l=(\d+)\$([A-Za-z0-9+/]+={0,2})\$([A-Za-z0-9+/]+={0,2})$/

const b64 = (b: Buffer) => b.toString('base64').replace(/=+$/, '')

export function isHashedSecret(value: string): boolean {
  return value.startsWith('$pbkdf2-')
}

/** Hash on the admin (synchronous: one hash per credential write). */
export function hashSecret(secret: string, salt: Buffer = randomBytes(SALT_LENGTH)): string {
  const hash = pbkdf2Sync(secret, salt, ITERATIONS, KEY_LENGTH, 'sha512')
  return `${PREFIX}i=${ITERATIONS},l=${KEY_LENGTH}$${b64(salt)}$${b64(hash)}`
}

/** Verify on the proxy without blocking the event loop; a malformed hash never verifies. */
export function verifySecret(secret: unknown, phc: string): Promise<boolean> {
  const m = PHC.exec(phc)
  if (typeof secret !== 'string' || !m) return Promise.resolve(false)
  const [, digest, iterations, length, salt, expected] = m
  const want = Buffer.from(expected, 'base64')
  if (want.length !== Number(length) || Number(iterations) > 10_000_000) return Promise.resolve(false)
  return new Promise((resolve) => {
    pbkdf2(secret, Buffer.from(salt, 'base64'), Number(iterations), want.length, digest, (err, got) => {
      resolve(!err && timingSafeEqual(got, want))
    })
  })
}

/** Constant-time comparison of plain secrets (Kong compares with `==`). */
export function secretsEqual(given: unknown, stored: unknown): boolean {
  if (typeof given !== 'string' || typeof stored !== 'string') return false
  const a = Buffer.from(given)
  const b = Buffer.from(stored)
  return a.length === b.length && timingSafeEqual(a, b)
}
