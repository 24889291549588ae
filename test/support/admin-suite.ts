// Shared set-up for the admin black-box files: one real admin process per file, plus small assertions
// for Kong's error shapes and a full dump of every collection.
import { rmSync } from 'node:fs'
import { request as httpRequest } from 'node:http'
import { afterAll, beforeAll, expect } from 'vitest'
import { AdminClient, type AdminResponse } from './admin-client.ts'
import { startAdmin, type AdminProc } from './processes.ts'
import { testStore } from './pg.ts'

export interface AdminSuite {
  admin: AdminClient
  proc: AdminProc
}

/**
 * Start one admin process for the whole file (beforeAll) and stop it afterwards (afterAll), on this run's
 * store: SQLite in the prefix, or a fresh Postgres database (the vitest `postgres` project) dropped after.
 */
export function useAdmin(env: Record<string, string> = {}): AdminSuite {
  const suite = {} as AdminSuite
  let store: Awaited<ReturnType<typeof testStore>> | undefined
  beforeAll(async () => {
    store = await testStore()
    suite.proc = await startAdmin({ env: { ...store.env, ...env } })
    suite.admin = new AdminClient(suite.proc.url)
  })
  afterAll(async () => {
    await suite.proc?.stop()
    if (suite.proc) rmSync(suite.proc.prefix, { recursive: true, force: true })
    await store?.drop()
  })
  return suite
}

/** Every admin collection a client can list, by admin path. */
export const COLLECTIONS = ['/services', '/routes', '/consumers', '/plugins', '/key-auths']

/** Follow `next` links until the last page; returns every entity of the collection. */
export async function listAll(admin: AdminClient, path: string, size = 1000): Promise<any[]> {
  const out: any[] = []
  let next: string | null = `${path}${path.includes('?') ? '&' : '?'}size=${size}`
  while (next) {
    const r: AdminResponse = await admin.get(next)
    expect(r.status, `${next}: ${r.text}`).toBe(200)
    out.push(...r.body.data)
    next = r.body.next
  }
  return out
}

/** A full dump of the configuration plus the version, to prove that a request changed nothing. */
export async function dumpAll(admin: AdminClient): Promise<{ version: number; collections: Record<string, any[]> }> {
  const collections: Record<string, any[]> = {}
  for (const c of COLLECTIONS) collections[c] = await listAll(admin, c)
  const status = await admin.get('/status')
  return { version: status.body.configuration_version, collections }
}

/** Assert Kong's schema-violation shape (400, code 2); `message` is checked when given. */
export function expectSchemaViolation(r: AdminResponse, fields: unknown, message?: string): void {
  expect(r.status, r.text).toBe(400)
  expect(r.body.code).toBe(2)
  expect(r.body.name).toBe('schema violation')
  expect(r.body.fields).toEqual(fields)
  if (message !== undefined) expect(r.body.message).toBe(message)
}

export const UNKNOWN_ID = '0b9a5a4e-1c1f-4d3e-9a55-9f3f3b1b2c7d'

/** A request fetch() cannot send (a body on GET or DELETE, or no Content-Type): plain node:http. */
export function rawRequest(url: string, method: string, path: string, headers: Record<string, string> = {}, body?: string | Buffer): Promise<{ status: number; body: any; text: string }> {
  return new Promise((resolve, reject) => {
    // node sends GET/DELETE bodies without framing unless Content-Length is set
    const framing: Record<string, string> = body === undefined || headers['transfer-encoding'] ? {} : { 'content-length': String(Buffer.byteLength(body)) }
    const req = httpRequest(url + path, { method, headers: { ...framing, ...headers } }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString()
        let parsed: any
        try {
          parsed = text ? JSON.parse(text) : undefined
        } catch {
          parsed = undefined
        }
        resolve({ status: res.statusCode!, body: parsed, text })
      })
    })
    // a server that answers early (413) may close before the whole body is written: the answer is what counts
    let answered = false
    req.on('response', () => (answered = true))
    req.on('error', (e) => (answered ? undefined : reject(e)))
    req.on('socket', (sock) => sock.on('error', () => {}))
    req.end(body)
  })
}
