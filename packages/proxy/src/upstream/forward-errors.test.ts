// forward(): each failure kind, Kong's retry rules (counted at the upstream) and abort propagation.
import diagnostics from 'node:diagnostics_channel'
import { createServer, request } from 'node:http'
import type { Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startEchoUpstream, type EchoUpstream } from '../../../../test/fixtures/echo-upstream.ts'
import { deadPort, generate, listen, rawUpstream, send, startProxy, target } from './test-harness.ts'

const BAD_GATEWAY = 'An invalid response was received from the upstream server\nrequest_id: rid\n'
const TIMING_OUT = 'The upstream server is timing out\nrequest_id: rid\n'

/** Counts undici connect failures (there is no server to count refused connections at). */
function countConnectErrors(): { count: () => number; stop: () => void } {
  let n = 0
  const on = () => n++
  diagnostics.subscribe('undici:client:connectError', on)
  return { count: () => n, stop: () => diagnostics.unsubscribe('undici:client:connectError', on) }
}

/** An upstream that reads requests and never answers; counts the requests (one per connection). */
async function silentUpstream() {
  let requests = 0
  const l = await rawUpstream((s) => s.once('data', () => requests++))
  return { ...l, requests: () => requests }
}

describe('forward — connection failures', () => {
  it('refused → 502 text/plain, retried `retries` times, even for a streamed POST not yet read', async () => {
    const port = await deadPort()
    const c = countConnectErrors()
    const proxy = await startProxy(target(port, { retries: 3 }))
    const r = await send(proxy.port, '/')
    expect(r.status).toBe(502)
    expect(r.headers['content-type']).toBe('text/plain; charset=utf-8')
    expect(r.body.toString()).toBe(BAD_GATEWAY)
    expect(await proxy.nextResult()).toMatchObject({ ok: false, kind: 'refused', headersSent: false })
    expect(c.count()).toBe(4)
    const post = await send(proxy.port, '/', { method: 'POST', body: Buffer.from('x'.repeat(1000)) })
    expect(post.status).toBe(502)
    expect(c.count()).toBe(8)
    c.stop()
    await proxy.close()
  })

  it('name resolution failure → dns (a Kong-producer 503, JSON by default)', async () => {
    const proxy = await startProxy({ ...target(80), host: 'postern-no-such-host.invalid', retries: 2 })
    const r = await send(proxy.port, '/')
    expect(await proxy.nextResult()).toMatchObject({ ok: false, kind: 'dns', headersSent: false })
    expect(r.status).toBe(503)
    expect(JSON.parse(r.body.toString())).toEqual({ message: 'name resolution failed', request_id: 'rid' })
    await proxy.close()
  }, 20_000)
})

describe('forward — failures after connecting', () => {
  let echo: EchoUpstream
  beforeAll(async () => {
    echo = await startEchoUpstream()
  })
  afterAll(() => echo.close())

  it('reset before headers: idempotent GET is retried, POST is not', async () => {
    const proxy = await startProxy(target(echo.port, { retries: 2 }))
    const before = echo.requests.length
    const r = await send(proxy.port, '/close')
    expect(r.status).toBe(502)
    expect(r.body.toString()).toBe(BAD_GATEWAY)
    expect(await proxy.nextResult()).toMatchObject({ ok: false, kind: 'reset', headersSent: false })
    expect(echo.requests.length - before).toBe(3)
    const mid = echo.requests.length
    expect((await send(proxy.port, '/close', { method: 'POST', body: Buffer.from('{}') })).status).toBe(502)
    expect(echo.requests.length - mid).toBe(1)
    const end = echo.requests.length
    expect((await send(proxy.port, '/close', { method: 'PUT', body: generate(1000) })).status).toBe(502)
    expect(echo.requests.length - end).toBe(1) // a consumed streamed body cannot be replayed
    await proxy.close()
  })

  it('no answer → read_timeout 504, retried like nginx does for timeouts', async () => {
    const up = await silentUpstream()
    const proxy = await startProxy(target(up.port, { readTimeout: 150, retries: 2 }))
    const r = await send(proxy.port, '/', { headers: { accept: 'text/*' } })
    expect(r.status).toBe(504)
    expect(r.body.toString()).toBe(TIMING_OUT)
    expect(await proxy.nextResult()).toMatchObject({ ok: false, kind: 'read_timeout', headersSent: false })
    expect(up.requests()).toBe(3)
    await proxy.close()
    await up.close()
  })

  it('garbage response → invalid_response 502, never retried', async () => {
    let requests = 0
    const up = await rawUpstream((s) =>
      s.once('data', () => {
        requests++
        s.end('this is not http\r\n\r\n')
      }),
    )
    const proxy = await startProxy(target(up.port, { retries: 3 }))
    const r = await send(proxy.port, '/', { headers: { accept: 'application/json' } })
    expect(r.status).toBe(502)
    expect(JSON.parse(r.body.toString()).message).toBe('An invalid response was received from the upstream server')
    expect(await proxy.nextResult()).toMatchObject({ ok: false, kind: 'invalid_response', headersSent: false })
    expect(requests).toBe(1)
    await proxy.close()
    await up.close()
  })

  it('upstream dies mid-body → client connection is destroyed, result says headersSent', async () => {
    const up = await rawUpstream((s) =>
      s.once('data', () => {
        s.write('HTTP/1.1 200 OK\r\ncontent-length: 1000\r\n\r\n0123456789')
        setTimeout(() => s.destroy(), 50)
      }),
    )
    const proxy = await startProxy(target(up.port, { retries: 3 }))
    await expect(send(proxy.port, '/')).rejects.toThrow(/aborted|socket hang up|ECONNRESET/)
    expect(await proxy.nextResult()).toMatchObject({ ok: false, kind: 'reset', headersSent: true })
    await proxy.close()
    await up.close()
  })

  it('upstream stalls mid-body → read_timeout between reads, client connection destroyed', async () => {
    const up = await rawUpstream((s) => s.once('data', () => s.write('HTTP/1.1 200 OK\r\ncontent-length: 1000\r\n\r\nabc')))
    const proxy = await startProxy(target(up.port, { readTimeout: 150 }))
    await expect(send(proxy.port, '/')).rejects.toThrow()
    expect(await proxy.nextResult()).toMatchObject({ ok: false, kind: 'read_timeout', headersSent: true })
    await proxy.close()
    await up.close()
  })

  it('upstream that stops reading the body → write_timeout (best effort)', async () => {
    const up = await listen(createServer((req) => req.socket.pause()))
    const proxy = await startProxy(target(up.port, { writeTimeout: 200, readTimeout: 20_000 }))
    await send(proxy.port, '/', { method: 'POST', body: generate(64 * 1024 * 1024) }).catch(() => undefined)
    expect(await proxy.nextResult()).toMatchObject({ ok: false, kind: 'write_timeout', headersSent: false })
    await proxy.close()
    await up.close()
  }, 20_000)

  it('a throwing onHeaders hook rejects forward() and aborts the upstream request', async () => {
    const proxy = await startProxy(target(echo.port), () => ({
      onHeaders() {
        throw new Error('plugin crashed')
      },
    }))
    const r = await send(proxy.port, '/')
    expect(r.status).toBe(500)
    expect(r.body.toString()).toContain('plugin crashed')
    await proxy.close()
  })
})

describe('forward — client aborts', () => {
  /** An upstream that never answers; resolves `arrived` on the first request and `closed` when its socket closes. */
  async function hangingUpstream() {
    let received = 0
    let onArrive!: () => void
    let onClose!: () => void
    const arrived = new Promise<void>((r) => (onArrive = r))
    const closed = new Promise<void>((r) => (onClose = r))
    const l = await listen(
      createServer((req) => {
        req.socket.on('close', onClose)
        req.on('data', (c: Buffer) => (received += c.length))
        onArrive()
      }),
    )
    return { ...l, arrived, closed, received: () => received }
  }

  it('client disconnect while waiting for headers aborts the upstream request', async () => {
    const up = await hangingUpstream()
    const proxy = await startProxy(target(up.port))
    const req = request({ host: '127.0.0.1', port: proxy.port, path: '/', agent: false })
    req.on('error', () => undefined)
    req.end()
    await up.arrived
    req.destroy()
    await up.closed // the upstream connection is torn down, not left hanging until read_timeout
    expect(await proxy.nextResult()).toMatchObject({ ok: false, kind: 'aborted', headersSent: false })
    await proxy.close()
    await up.close()
  })

  it('client disconnect mid-upload aborts the upstream request', async () => {
    const up = await hangingUpstream()
    const proxy = await startProxy(target(up.port))
    const headers = { 'content-length': String(100 * 1024 * 1024) }
    const req = request({ host: '127.0.0.1', port: proxy.port, path: '/', method: 'POST', agent: false, headers })
    req.on('error', () => undefined)
    req.write(Buffer.alloc(1024 * 1024))
    await up.arrived
    while (up.received() === 0) await new Promise((r) => setTimeout(r, 5))
    ;(req.socket as Socket).destroy()
    await up.closed
    expect(await proxy.nextResult()).toMatchObject({ ok: false, kind: 'aborted' })
    await proxy.close()
    await up.close()
  })
})
