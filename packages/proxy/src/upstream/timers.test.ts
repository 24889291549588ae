// Native upstream timers: the connector still speaks TLS (and honours tls_verify), read_timeout is measured
// from the end of a streamed body, and a slow client (paused reads) is not the upstream's fault.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer as createHttpsServer } from 'node:https'
import { createServer } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PassThrough } from 'node:stream'
import type { IncomingMessage } from 'node:http'
import { listen, send, startProxy, target } from './test-harness.ts'
import { startReadTimer, startWriteTimer, stopReadTimer, stopWriteTimer, watchBody, type Timed } from './timers.ts'
import { UNLISTED } from './deadlines.ts'

/** A forwarder stand-in whose abort records when (and with what) it was called. */
function fakeForwarder(over: { readTimeout?: number; writeTimeout?: number; body?: PassThrough }) {
  const aborted: { at: number; code: string }[] = []
  const fw: Timed = {
    target: { ...target(1), readTimeout: over.readTimeout ?? 0, writeTimeout: over.writeTimeout ?? 0 },
    stream: (over.body ?? null) as IncomingMessage | null,
    abort: (e: Error) => void aborted.push({ at: performance.now(), code: (e as Error & { code: string }).code }),
    paused: false,
    settled: false, headersSent: false, lastRead: 0, writeTimer: null, pausedAt: -1, ...UNLISTED,
  }
  return { fw, aborted }
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
async function until(f: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms
  while (!f() && Date.now() < end) await sleep(5)
}

let dir: string
let tls: { cert: Buffer; key: Buffer }

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'postern-timers-'))
  const cert = join(dir, 'c.pem')
  const key = join(dir, 'k.pem')
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost'], { stdio: 'ignore' })
  tls = { cert: readFileSync(cert), key: readFileSync(key) }
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('preciseConnector', () => {
  it('connects to a TLS upstream (no verification by default) and refuses it with tls_verify', async () => {
    const up = await listen(createHttpsServer(tls, (_req, res) => res.end('secure')))
    const loose = await startProxy(target(up.port, { protocol: 'https' }))
    const ok = await send(loose.port, '/')
    expect(ok.status).toBe(200)
    expect(ok.body.toString()).toBe('secure')
    const strict = await startProxy(target(up.port, { protocol: 'https', tlsVerify: true }))
    const bad = await send(strict.port, '/')
    expect(bad.status).toBe(502)
    expect(await strict.nextResult()).toMatchObject({ ok: false, kind: 'invalid_response' })
    await Promise.all([loose.close(), strict.close(), up.close()])
  })
})

describe('timer precision (fake forwarder)', () => {
  it('read: fires `readTimeout` after the last read, not on a coarse clock', async () => {
    const { fw, aborted } = fakeForwarder({ readTimeout: 150 })
    startReadTimer(fw)
    await sleep(100)
    const lastRead = (fw.lastRead = performance.now()) // a read moves the deadline
    await until(() => aborted.length > 0)
    expect(aborted).toHaveLength(1)
    expect(aborted[0].code).toBe('POSTERN_UPSTREAM_READ_TIMEOUT')
    expect(aborted[0].at - lastRead).toBeGreaterThanOrEqual(149)
    expect(aborted[0].at - lastRead).toBeLessThan(250)
    stopReadTimer(fw)
  })

  it('write: fires `writeTimeout` after the body was paused, never while it flows', async () => {
    const body = new PassThrough()
    body.on('data', () => {})
    const { fw, aborted } = fakeForwarder({ writeTimeout: 150, body })
    watchBody(fw, body as unknown as IncomingMessage)
    startWriteTimer(fw)
    body.pause()
    await sleep(100)
    body.resume() // the upstream drained in time
    await sleep(200)
    expect(aborted).toHaveLength(0)
    body.pause()
    const pausedAt = performance.now()
    await until(() => aborted.length > 0)
    expect(aborted.map((a) => a.code)).toEqual(['POSTERN_UPSTREAM_WRITE_TIMEOUT'])
    expect(aborted[0].at - pausedAt).toBeGreaterThanOrEqual(149)
    expect(aborted[0].at - pausedAt).toBeLessThan(250)
    stopWriteTimer(fw)
  })
})

describe('read timer', () => {
  it('counts from the end of a streamed body, not from the start of sending', async () => {
    // The upstream answers 300 ms after the body ended; the body takes 600 ms to arrive; read_timeout 400.
    const up = await listen(
      createServer((req, res) => {
        req.resume()
        req.on('end', () => setTimeout(() => res.end('late but in time'), 300))
      }),
    )
    const proxy = await startProxy(target(up.port, { readTimeout: 400 }))
    async function* slowBody() {
      for (let i = 0; i < 3; i++) {
        yield Buffer.from('chunk')
        await new Promise((r) => setTimeout(r, 200))
      }
    }
    const r = await send(proxy.port, '/', { method: 'POST', headers: { 'transfer-encoding': 'chunked' }, body: slowBody() })
    expect(r.status).toBe(200)
    expect(r.body.toString()).toBe('late but in time')
    await Promise.all([proxy.close(), up.close()])
  })

  it('does not fire while reads are paused because the client is slower than the upstream', async () => {
    const size = 8 * 1024 * 1024
    const up = await listen(createServer((_req, res) => res.end(Buffer.alloc(size, 'z'))))
    const proxy = await startProxy(target(up.port, { readTimeout: 200 }))
    // A client that stops reading for 600 ms (three read timeouts) and then reads everything.
    const got = await new Promise<number>((resolve, reject) => {
      import('node:http').then(({ request }) => {
        const req = request({ host: '127.0.0.1', port: proxy.port, path: '/', agent: false }, (res) => {
          res.pause()
          let n = 0
          setTimeout(() => {
            res.on('data', (c: Buffer) => (n += c.length))
            res.on('end', () => resolve(n))
            res.on('error', reject)
            res.resume()
          }, 600)
        })
        req.on('error', reject)
        req.end()
      }, reject)
    })
    expect(got).toBe(size)
    expect(await proxy.nextResult()).toMatchObject({ ok: true, status: 200 })
    await Promise.all([proxy.close(), up.close()])
  })
})
