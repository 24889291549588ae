// The echo upstream fixture (test/fixtures/echo-upstream.ts) behaves as the black-box tests and benchmarks expect.
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startEchoUpstream, type EchoUpstream } from '../../../../test/fixtures/echo-upstream.ts'
import { generate, send } from './test-harness.ts'

const FIXTURE = fileURLToPath(new URL('../../../../test/fixtures/echo-upstream.ts', import.meta.url))
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url))

describe('echo upstream fixture', () => {
  let echo: EchoUpstream
  beforeAll(async () => {
    echo = await startEchoUpstream()
  })
  afterAll(() => echo.close())

  it('echoes method, raw url, path, query, headers and small bodies as JSON', async () => {
    const r = await send(echo.port, '/p/q?a=1&b=two', { method: 'POST', headers: { 'x-t': '1' }, body: Buffer.from('hi') })
    expect(r.status).toBe(200)
    expect(r.headers['content-type']).toBe('application/json')
    expect(JSON.parse(r.body.toString())).toMatchObject({
      method: 'POST', url: '/p/q?a=1&b=two', path: '/p/q', query: { a: '1', b: 'two' }, body: 'hi', bodyLength: 2, headers: { 'x-t': '1' },
    })
    expect(echo.requests.at(-1)).toMatchObject({ method: 'POST', url: '/p/q?a=1&b=two' })
    expect(echo.url).toBe(`http://127.0.0.1:${echo.port}`)
  })

  it('omits the body text at 1 MB and above but still counts it', async () => {
    const r = await send(echo.port, '/', { method: 'POST', body: Buffer.alloc(1024 * 1024, 'a') })
    const j = JSON.parse(r.body.toString())
    expect(j.bodyLength).toBe(1024 * 1024)
    expect(j.body).toBeUndefined()
  })

  it('/status/<code> anywhere in the path sets the status', async () => {
    expect((await send(echo.port, '/status/503')).status).toBe(503)
    expect((await send(echo.port, '/api/status/418/more?x=1')).status).toBe(418)
    expect((await send(echo.port, '/status/204')).body.length).toBe(0)
  })

  it('/delay/<ms> waits before answering', async () => {
    const t = Date.now()
    expect((await send(echo.port, '/delay/120/status/201')).status).toBe(201)
    expect(Date.now() - t).toBeGreaterThanOrEqual(100)
  })

  it('/bytes/<n> streams n bytes of x', async () => {
    const r = await send(echo.port, '/bytes/200001')
    expect(r.length).toBe(200001)
    expect(r.body.every((b) => b === 0x78)).toBe(true)
    expect((await send(echo.port, '/bytes/0')).length).toBe(0)
  })

  it('/upload counts a streamed body without buffering it', async () => {
    const r = await send(echo.port, '/upload', { method: 'PUT', body: generate(20 * 1024 * 1024) })
    expect(JSON.parse(r.body.toString())).toEqual({ bodyLength: 20 * 1024 * 1024 })
  })

  it('/close destroys the socket without answering', async () => {
    await expect(send(echo.port, '/close')).rejects.toThrow(/socket hang up|ECONNRESET/)
  })

  it('/hello answers a fixed text body', async () => {
    const r = await send(echo.port, '/hello')
    expect(r.headers['content-type']).toBe('text/plain')
    expect(r.body.toString()).toBe('hello')
  })

  it('prints `listening <port>` when run directly', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, '0'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] })
    try {
      const line = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => resolve(d.toString()))
        child.on('exit', (code) => reject(new Error(`exited ${code}`)))
      })
      const port = Number(/^listening (\d+)\n$/.exec(line)?.[1])
      expect(port).toBeGreaterThan(0)
      expect((await send(port, '/hello')).body.toString()).toBe('hello')
    } finally {
      child.kill()
    }
  }, 20_000)
})
