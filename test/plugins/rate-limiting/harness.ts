// Shared setup of the rate-limiting black-box tests: an admin, proxies on the admin's database as their
// runtime store (so `cluster` counters are shared), an echo upstream, and polling helpers.
import { expect } from 'vitest'
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { createServer } from 'node:net'
import { spawn, type ChildProcess } from 'node:child_process'
import { startAdmin, startProxy, waitForVersion, type AdminProc, type ProxyProc } from '../../support/processes.ts'
import { AdminClient } from '../../support/admin-client.ts'
import { send, type RawResponse } from '../../support/http.ts'
import { startEchoUpstream, type EchoUpstream } from '../../fixtures/echo-upstream.ts'

export interface Gateway {
  admin: AdminProc
  api: AdminClient
  proxies: ProxyProc[]
  upstream: EchoUpstream
  /** An admin write that must succeed; every proxy has applied it when this resolves. */
  write(method: string, path: string, body?: unknown): Promise<any>
  stop(): Promise<void>
}

export async function startRateLimitGateway(proxyCount = 1, proxyEnv: Record<string, string> = {}): Promise<Gateway> {
  const upstream = await startEchoUpstream()
  const admin = await startAdmin()
  const env = { POSTERN_STORE_PATH: join(admin.prefix, 'postern.db'), ...proxyEnv }
  const proxies = await Promise.all(Array.from({ length: proxyCount }, () => startProxy({ clusterPort: admin.clusterPort, env })))
  const api = new AdminClient(admin.url)
  return {
    admin,
    api,
    proxies,
    upstream,
    async write(method, path, body) {
      const r = await api.request(method, path, body === undefined ? {} : { json: body })
      if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${r.text}`)
      await Promise.all(proxies.map((p) => waitForVersion(p, r.version)))
      return r.body
    },
    async stop() {
      await Promise.all([...proxies.map((p) => p.stop()), admin.stop()])
      for (const p of [admin, ...proxies]) rmSync(p.prefix, { recursive: true, force: true })
      await upstream.close()
    },
  }
}

export const get = (proxy: ProxyProc, path: string, headers: Record<string, string> = {}): Promise<RawResponse> => send(proxy.url + path, { headers })

/** Poll `probe` until it returns true (bounded), so a loaded machine still passes. */
export async function eventually(probe: () => Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const until = Date.now() + timeoutMs
  while (Date.now() < until) {
    if (await probe()) return
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`timed out waiting for ${what}`)
}

/** Wait until at least `marginSec` seconds remain in the current UTC window of `periodSec`. */
export async function awayFromBoundary(periodSec: number, marginSec: number): Promise<void> {
  const left = () => periodSec - (Math.floor(Date.now() / 1000) % periodSec)
  if (left() < marginSec) await new Promise((r) => setTimeout(r, left() * 1000 + 50))
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port
      s.close(() => resolve(port))
    })
  })
}

/** A private redis-server on `port` (never the shared one), with persistence off; `args` add options (TLS, users). */
export async function startRedis(port: number, args: string[] = []): Promise<{ proc: ChildProcess; stop(): Promise<void> }> {
  const listen = args.includes('--tls-port') ? [] : ['--port', String(port)]
  const proc = spawn('redis-server', [...listen, '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  await new Promise<void>((resolve, reject) => {
    let out = ''
    const timer = setTimeout(() => reject(new Error(`redis-server did not start:\n${out}`)), 10_000)
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString()
      if (out.includes('Ready to accept connections')) {
        clearTimeout(timer)
        resolve()
      }
    })
    proc.once('exit', (code) => reject(new Error(`redis-server exited with ${code}:\n${out}`)))
  })
  return {
    proc,
    stop: () =>
      new Promise<void>((r) => {
        if (proc.exitCode !== null || proc.signalCode !== null) return r()
        proc.once('exit', () => r())
        proc.kill('SIGKILL')
      }),
  }
}

/** How many of `responses` the gateway let through. */
export const passed = (responses: RawResponse[]) => responses.filter((r) => r.status === 200).length

/**
 * A shared policy (cluster, redis) across two proxies: once proxy A has used up a per-second limit, proxy B
 * refuses too, and the first request B admits is the first of the next window (2 of 3 left).
 */
export async function admitsAgainAfterTheWindow(route: (name: string, config: Record<string, unknown>) => Promise<unknown>, proxy: (i: number) => ProxyProc): Promise<void> {
  await route('rolling', { second: 3 })
  await eventually(async () => (await get(proxy(0), '/rolling')).status === 429, 5000, 'the limit on proxy A')
  let admitted: RawResponse | undefined
  await eventually(async () => (admitted = await get(proxy(1), '/rolling')).status === 200, 5000, 'the next window on proxy B')
  expect(admitted!.headers['x-ratelimit-remaining-second']).toBe('2')
}
