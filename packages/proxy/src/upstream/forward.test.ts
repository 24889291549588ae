// forward(): request/response headers, hooks and hop-by-hop removal against real node:http servers.
import { createServer } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startEchoUpstream, type EchoUpstream } from '../../../../test/fixtures/echo-upstream.ts'
import { listen, send, startProxy, target } from './test-harness.ts'

describe('forward — echo upstream', () => {
  let echo: EchoUpstream
  beforeAll(async () => {
    echo = await startEchoUpstream()
  })
  afterAll(() => echo.close())

  it('forwards method, path+query, headers and body, and returns the upstream response', async () => {
    const proxy = await startProxy(target(echo.port))
    const r = await send(proxy.port, '/a/b?x=1&y=2', { method: 'PUT', headers: { 'x-custom': 'v', 'content-type': 'text/plain' }, body: Buffer.from('hé') })
    expect(r.status).toBe(200)
    const j = JSON.parse(r.body.toString())
    expect(j).toMatchObject({ method: 'PUT', url: '/a/b?x=1&y=2', path: '/a/b', query: { x: '1', y: '2' }, body: 'hé', bodyLength: 3 })
    expect(j.headers).toMatchObject({ host: `127.0.0.1:${echo.port}`, 'x-custom': 'v', 'content-length': '3' })
    const res = await proxy.nextResult()
    expect(res).toMatchObject({ ok: true, status: 200, bytesSent: r.length })
    if (res.ok) expect(res.upstreamLatencyMs).toBeGreaterThan(0)
    await proxy.close()
  })

  it('passes upstream statuses through untouched and lets onHeaders rewrite status and headers', async () => {
    const seen: Array<Record<string, string | string[]>> = []
    const proxy = await startProxy(target(echo.port), () => ({
      onHeaders(status, headers, latency) {
        seen.push({ ...headers })
        headers['x-kong-upstream-latency'] = String(Math.round(latency))
        return status === 418 ? 299 : status
      },
    }))
    const a = await send(proxy.port, '/status/500')
    expect(a.status).toBe(500)
    const b = await send(proxy.port, '/x/status/418')
    expect(b.status).toBe(299)
    expect(b.headers['x-kong-upstream-latency']).toMatch(/^\d+$/)
    expect(seen[0]['content-type']).toBe('application/json')
    await proxy.close()
  })

  it('applies bodyFilter per chunk and on the last call', async () => {
    const proxy = await startProxy(target(echo.port), () => ({
      onHeaders(status, headers) {
        delete headers['content-length'] // the filter changes the length
        return status
      },
      bodyFilter: (chunk, last) => (last ? Buffer.from('!') : Buffer.from(chunk.toString().toUpperCase())),
    }))
    const r = await send(proxy.port, '/hello')
    expect(r.body.toString()).toBe('HELLO!')
    expect(await proxy.nextResult()).toMatchObject({ ok: true, bytesSent: 6 })
    await proxy.close()
  })
})

describe('forward — response headers', () => {
  it('removes hop-by-hop headers and the names listed in Connection', async () => {
    const up = await listen(
      createServer((_req, res) => {
        res.setHeader('connection', 'keep-alive, x-hop')
        res.setHeader('keep-alive', 'timeout=30')
        res.setHeader('x-hop', '1')
        res.setHeader('proxy-connection', 'keep-alive')
        res.setHeader('upgrade', 'h2c')
        res.setHeader('trailer', 'x-checksum')
        res.setHeader('set-cookie', ['a=1', 'b=2'])
        res.setHeader('server', 'up/1')
        res.end('ok')
      }),
    )
    let seen: Record<string, string | string[]> = {}
    const proxy = await startProxy(target(up.port), () => ({
      onHeaders(status, headers) {
        seen = { ...headers }
        return status
      },
    }))
    const r = await send(proxy.port, '/')
    expect(r.body.toString()).toBe('ok')
    for (const h of ['connection', 'keep-alive', 'x-hop', 'proxy-connection', 'upgrade', 'trailer', 'transfer-encoding']) {
      expect(seen[h], h).toBeUndefined()
    }
    expect(seen['set-cookie']).toEqual(['a=1', 'b=2'])
    expect(r.headers['set-cookie']).toEqual(['a=1', 'b=2'])
    expect(r.headers.server).toBe('up/1')
    expect(r.headers['x-hop']).toBeUndefined()
    expect(r.headers.trailer).toBeUndefined()
    await proxy.close()
    await up.close()
  })

  it('keeps Trailer and forwards trailers when the client asked with TE: trailers', async () => {
    const up = await listen(
      createServer((_req, res) => {
        res.writeHead(200, { trailer: 'x-checksum' })
        res.write('body')
        res.addTrailers({ 'x-checksum': 'abc' })
        res.end()
      }),
    )
    const proxy = await startProxy(target(up.port))
    const trailers = await new Promise<Record<string, string | undefined>>((resolve, reject) => {
      import('node:http').then(({ request }) => {
        const req = request({ port: proxy.port, host: '127.0.0.1', path: '/', headers: { te: 'trailers' }, agent: false }, (res) => {
          expect(res.headers.trailer).toBe('x-checksum')
          res.resume()
          res.on('end', () => resolve(res.trailers))
        })
        req.on('error', reject)
        req.end()
      })
    })
    expect(trailers['x-checksum']).toBe('abc')
    await proxy.close()
    await up.close()
  })
})
