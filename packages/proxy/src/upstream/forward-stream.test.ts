// forward(): 100 MB bodies stream both ways with bounded memory, and client backpressure reaches the upstream.
import { createServer, request } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startEchoUpstream, type EchoUpstream } from '../../../../test/fixtures/echo-upstream.ts'
import { generate, listen, send, startProxy, target, type ClientResponse } from './test-harness.ts'

const MB = 1024 * 1024
const TOTAL = 100 * MB

/** Samples RSS while `run` executes; returns the peak growth. GC lag makes this a loose bound only. */
async function rssGrowth(run: () => Promise<void>): Promise<number> {
  const before = process.memoryUsage.rss()
  let peak = before
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 10)
  try {
    await run()
  } finally {
    clearInterval(timer)
  }
  return peak - before
}

describe('forward — 100 MB streaming', () => {
  let echo: EchoUpstream
  beforeAll(async () => {
    echo = await startEchoUpstream()
  })
  afterAll(() => echo.close())

  it('uploads 100 MB: bytes in flight stay bounded and every byte arrives', async () => {
    let received = 0
    const up = await listen(
      createServer((req, res) => {
        req.on('data', (c: Buffer) => (received += c.length))
        req.on('end', () => res.end(String(received)))
      }),
    )
    const proxy = await startProxy(target(up.port))
    let yielded = 0
    let maxInFlight = 0
    async function* body() {
      for await (const c of generate(TOTAL)) {
        yielded += c.length
        maxInFlight = Math.max(maxInFlight, yielded - received)
        yield c
      }
    }
    let r: ClientResponse | undefined
    const growth = await rssGrowth(async () => {
      r = await send(proxy.port, '/', { method: 'POST', body: body() })
    })
    expect(r?.status).toBe(200)
    expect(r?.body.toString()).toBe(String(TOTAL))
    // Socket buffers on three hops, not the body: a buffering proxy would show ~100 MB here.
    expect(maxInFlight).toBeLessThan(16 * MB)
    expect(growth).toBeLessThan(100 * MB)
    await proxy.close()
    await up.close()
  }, 60_000)

  it('uploads 100 MB through the echo fixture (/upload counts without buffering)', async () => {
    const proxy = await startProxy(target(echo.port))
    const r = await send(proxy.port, '/upload', { method: 'POST', body: generate(TOTAL) })
    expect(JSON.parse(r.body.toString())).toEqual({ bodyLength: TOTAL })
    await proxy.close()
  }, 60_000)

  it('downloads 100 MB: bytes in flight stay bounded and every byte arrives', async () => {
    let written = 0
    let clientGot = 0
    let maxInFlight = 0
    const up = await listen(
      createServer((_req, res) => {
        const chunk = Buffer.alloc(64 * 1024, 'z')
        res.writeHead(200, { 'content-length': TOTAL })
        const pump = (): void => {
          while (written < TOTAL) {
            written += chunk.length
            maxInFlight = Math.max(maxInFlight, written - clientGot)
            if (!res.write(chunk)) return void res.once('drain', pump)
          }
          res.end()
        }
        pump()
      }),
    )
    const proxy = await startProxy(target(up.port))
    const growth = await rssGrowth(
      () =>
        new Promise<void>((resolve, reject) => {
          request({ host: '127.0.0.1', port: proxy.port, path: '/', agent: false }, (res) => {
            res.on('data', (c: Buffer) => (clientGot += c.length))
            res.on('end', resolve)
            res.on('error', reject)
          }).end()
        }),
    )
    expect(clientGot).toBe(TOTAL)
    expect(await proxy.nextResult()).toMatchObject({ ok: true, status: 200, bytesSent: TOTAL })
    expect(maxInFlight).toBeLessThan(16 * MB)
    expect(growth).toBeLessThan(100 * MB)
    await proxy.close()
    await up.close()
  }, 60_000)

  it('downloads 100 MB from the echo fixture (/bytes/<n>)', async () => {
    const proxy = await startProxy(target(echo.port))
    const r = await send(proxy.port, `/bytes/${TOTAL}`, { count: true })
    expect(r.status).toBe(200)
    expect(r.length).toBe(TOTAL)
    await proxy.close()
  }, 60_000)

  it('applies client backpressure to the upstream (stops reading it)', async () => {
    let written = 0
    const up = await listen(
      createServer((_req, res) => {
        const chunk = Buffer.alloc(64 * 1024, 'z')
        const pump = (): void => {
          while (written < 200 * MB) {
            written += chunk.length
            if (!res.write(chunk)) return void res.once('drain', pump)
          }
          res.end()
        }
        pump()
      }),
    )
    const proxy = await startProxy(target(up.port))
    await new Promise<void>((resolve) => {
      request({ port: proxy.port, host: '127.0.0.1', path: '/', agent: false }, (res) => {
        res.pause() // a client that does not read
        setTimeout(() => {
          expect(written).toBeLessThan(32 * MB)
          res.destroy()
          resolve()
        }, 500)
      }).end()
    })
    expect(await proxy.nextResult()).toMatchObject({ ok: false, kind: 'aborted', headersSent: true })
    await proxy.close()
    await up.close()
  })
})
