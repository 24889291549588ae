// Cold start from the config cache: stop a gateway's proxy, start it again with its admin unreachable, time until the first 200.
import { spawn } from 'node:child_process'
import { performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import { Pool } from 'undici'
import { memory } from './fill.ts'
import { freePort, PROXY_READY, ROOT, stop, track, type Gateway } from './procs.ts'
import type { MemoryRow } from './report.ts'
import type { Request } from './scenarios.ts'

export interface ColdStart {
  routes: number
  consumers: number
  /** From spawn to the proxy's ready line (listening). */
  readyMs: number
  /** From spawn to the first 200 on the measured route (NaN when it never came). */
  firstOkMs: number
  timedOut: boolean
  memory?: MemoryRow
}

/**
 * The proxy is stopped (SIGTERM, so it leaves the cache and journal as a real restart would find them) and
 * started with the same prefix, but its control plane points at a port nothing listens on. From spawn, the
 * route is polled every `pollMs` until it answers 200. The restarted proxy keeps running until stopAll().
 */
export async function measureColdStart(gw: Gateway, counts: { routes: number; consumers: number }, req: Request, timeoutMs = 30_000, pollMs = 2): Promise<ColdStart> {
  await stop(gw.proxy)
  const unreachable = await freePort()
  const argv = gw.proxyArgv
  const t0 = performance.now()
  const proc = spawn(argv[0], argv.slice(1), {
    cwd: ROOT,
    env: { ...process.env, ...gw.proxyEnv, KONG_CLUSTER_CONTROL_PLANE: `127.0.0.1:${unreachable}` },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  track(proc)
  let out = ''
  let readyMs = NaN
  let ports: RegExpMatchArray | null = null
  const onData = (d: Buffer) => {
    out += d.toString()
    if (ports) return
    ports = out.match(PROXY_READY)
    if (ports) readyMs = performance.now() - t0
  }
  proc.stdout!.on('data', onData)
  proc.stderr!.on('data', onData)
  const deadline = t0 + timeoutMs
  // Wait for the ready line: the proxy listens on an ephemeral port, known only once it says so.
  while (!ports && performance.now() < deadline && proc.exitCode === null) await sleep(1)
  if (!ports) throw new Error(`cold start: ${gw.name} proxy did not become ready in ${timeoutMs} ms\n${out}`)
  const m = ports as RegExpMatchArray
  const pool = new Pool(`http://127.0.0.1:${m[1]}`, { connections: 1 })
  let firstOkMs = NaN
  try {
    while (performance.now() < deadline) {
      const r = await pool.request({ method: 'GET', path: req.path, headers: req.headers }).catch(() => undefined)
      if (r) await r.body.dump()
      if (r?.statusCode === 200) {
        firstOkMs = performance.now() - t0
        break
      }
      await sleep(pollMs)
    }
  } finally {
    await pool.close()
  }
  const mem = await memory({ name: gw.name, statusUrl: `http://127.0.0.1:${m[2]}` }, counts.routes, 'after cold start from the config cache').catch(() => undefined)
  return { ...counts, readyMs, firstOkMs, timedOut: Number.isNaN(firstOkMs), memory: mem }
}
