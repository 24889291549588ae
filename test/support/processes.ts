// Starts real admin and proxy processes on ephemeral ports with a temporary prefix, for black-box tests.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

export const ROOT = resolve(import.meta.dirname, '../..')
const BIN = join(ROOT, 'bin/postern.ts')

export interface Proc {
  proc: ChildProcess
  prefix: string
  /** Output so far (stdout + stderr), for debugging failed tests. */
  output(): string
  /** SIGTERM and wait for exit. */
  stop(): Promise<number | null>
  /** SIGKILL and wait for exit. */
  kill(): Promise<number | null>
}

export interface AdminProc extends Proc {
  port: number
  clusterPort: number
  url: string
}

export interface ProxyProc extends Proc {
  port: number
  /** First `ssl` listener (NaN when none was configured, e.g. KONG_PROXY_LISTEN='127.0.0.1:0, 127.0.0.1:0 ssl'). */
  tlsPort: number
  tlsUrl: string
  statusPort: number
  url: string
  statusUrl: string
}

/** Admin prefixes by cluster port, so a proxy started for that admin reads the token it generated. */
const adminPrefixes = new Map<number, string>()

export function tempPrefix(name = 'postern'): string {
  return mkdtempSync(join(tmpdir(), `${name}-`))
}

function launch(args: string[], env: Record<string, string>, prefix: string, pattern: RegExp, umask?: string, timeoutMs = 20_000): Promise<{ proc: ChildProcess; match: RegExpMatchArray; out: () => string }> {
  return new Promise((resolvePromise, reject) => {
    const argv = [process.execPath, '--import', 'tsx', BIN, ...args]
    // a umask is set by a shell that then execs node (same pid, so stop/kill still reach node)
    const [cmd, ...rest] = umask ? ['/bin/sh', '-c', `umask ${umask} && exec "$@"`, 'sh', ...argv] : argv
    const proc = spawn(cmd, rest, {
      cwd: ROOT,
      env: { ...process.env, KONG_PREFIX: prefix, KONG_LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    const timer = setTimeout(() => {
      proc.kill('SIGKILL')
      reject(new Error(`process did not become ready in ${timeoutMs} ms:\n${out}`))
    }, timeoutMs)
    const onData = (d: Buffer) => {
      out += d.toString()
      const m = out.match(pattern)
      if (m) {
        clearTimeout(timer)
        proc.stdout!.off('data', onData)
        proc.stdout!.on('data', (x: Buffer) => (out += x.toString()))
        resolvePromise({ proc, match: m, out: () => out })
      }
    }
    proc.stdout!.on('data', onData)
    proc.stderr!.on('data', (d: Buffer) => (out += d.toString()))
    proc.on('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`process exited with ${code} before ready:\n${out}`))
    })
  })
}

function stopper(proc: ChildProcess, signal: NodeJS.Signals): () => Promise<number | null> {
  return () =>
    new Promise((r) => {
      if (proc.exitCode !== null || proc.signalCode !== null) return r(proc.exitCode)
      proc.once('exit', (code) => r(code))
      proc.kill(signal)
    })
}

export async function startAdmin(opts: { prefix?: string; env?: Record<string, string>; umask?: string } = {}): Promise<AdminProc> {
  const prefix = opts.prefix ?? tempPrefix('admin')
  const { proc, match, out } = await launch(
    ['start', 'admin'],
    { KONG_ADMIN_LISTEN: '127.0.0.1:0', KONG_CLUSTER_LISTEN: '127.0.0.1:0', KONG_ADMIN_GUI_LISTEN: '127.0.0.1:0', ...opts.env },
    prefix,
    /postern ready: admin (\d+) cluster (\d+)/,
    opts.umask,
  )
  const port = Number(match[1])
  adminPrefixes.set(Number(match[2]), prefix)
  return { proc, prefix, port, clusterPort: Number(match[2]), url: `http://127.0.0.1:${port}`, output: out, stop: stopper(proc, 'SIGTERM'), kill: stopper(proc, 'SIGKILL') }
}

export async function startProxy(opts: { clusterPort: number; prefix?: string; env?: Record<string, string>; umask?: string }): Promise<ProxyProc> {
  const prefix = opts.prefix ?? tempPrefix('proxy')
  // a proxy in its own prefix is given the token file of the admin it follows (same-prefix proxies find it)
  const adminPrefix = adminPrefixes.get(opts.clusterPort)
  const { proc, match, out } = await launch(
    ['start', 'proxy'],
    {
      ...(adminPrefix && adminPrefix !== prefix ? { POSTERN_CLUSTER_TOKEN_FILE: join(adminPrefix, 'cluster-token') } : {}),
      KONG_PROXY_LISTEN: '127.0.0.1:0',
      KONG_STATUS_LISTEN: '127.0.0.1:0',
      KONG_CLUSTER_CONTROL_PLANE: `127.0.0.1:${opts.clusterPort}`,
      // one process unless a test is about workers (Kong's default `auto` would fork one per core)
      KONG_NGINX_WORKER_PROCESSES: '1',
      ...opts.env,
    },
    prefix,
    /postern ready: proxy ([\d,-]+) tls ([\d,-]+) status (\d+)/,
    opts.umask,
  )
  const port = Number(match[1].split(',')[0])
  const tlsPort = Number(match[2].split(',')[0])
  const statusPort = Number(match[3])
  return {
    proc, prefix, port, statusPort, tlsPort,
    url: `http://127.0.0.1:${port}`,
    tlsUrl: `https://127.0.0.1:${tlsPort}`,
    statusUrl: `http://127.0.0.1:${statusPort}`,
    output: out, stop: stopper(proc, 'SIGTERM'), kill: stopper(proc, 'SIGKILL'),
  }
}

/** Admin + one proxy following it. */
export async function startGateway(opts: { adminEnv?: Record<string, string>; proxyEnv?: Record<string, string> } = {}) {
  const admin = await startAdmin({ env: opts.adminEnv })
  const proxy = await startProxy({ clusterPort: admin.clusterPort, env: opts.proxyEnv })
  return {
    admin,
    proxy,
    async stop() {
      await Promise.all([proxy.stop(), admin.stop()])
      for (const p of [admin.prefix, proxy.prefix]) rmSync(p, { recursive: true, force: true })
    },
  }
}

/** Poll the proxy's status until it has applied at least `version`. */
export async function waitForVersion(proxy: { statusUrl: string }, version: number, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs
  let last = -1
  while (Date.now() < until) {
    try {
      const s = (await (await fetch(`${proxy.statusUrl}/status`)).json()) as { configuration_version: number }
      last = s.configuration_version
      if (last >= version) return
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 20))
  }
  throw new Error(`proxy did not reach config version ${version} (last seen ${last})`)
}
