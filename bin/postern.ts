#!/usr/bin/env node
// The `postern` command: start (admin + proxy under one supervisor), start admin, start proxy,
// migrations up|list. Settings come from KONG_* environment variables, validated once here.
import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { loadSettings, proxyEnv, proxyNodeFlags, type Settings } from '@postern/shared'

const [cmd, sub] = process.argv.slice(2)

function fail(msg: string): never {
  process.stderr.write(`postern: ${msg}\n`)
  process.exit(1)
}

async function main(): Promise<void> {
  let settings
  try {
    settings = loadSettings(process.env)
  } catch (e) {
    fail((e as Error).message)
  }
  if (cmd === 'start' && sub === 'admin') {
    const { startAdmin } = await import('@postern/admin')
    const h = await startAdmin(settings)
    if (h.guiPorts.length) process.stdout.write(`postern gui: ${h.guiPorts.join(',')}\n`)
    ready(`admin ${h.adminPorts.join(',')} cluster ${h.clusterPort}`)
    onStop(() => h.close())
    return
  }
  if (cmd === 'start' && sub === 'proxy') {
    const { startProxy } = await import('@postern/proxy')
    const h = await startProxy(settings)
    // proxy workers (KONG_NGINX_WORKER_PROCESSES > 1) run this too; only the primary announces the node
    if (!process.env.POSTERN_WORKER) ready(`proxy ${h.proxyPorts.join(',') || '-'} tls ${h.tlsPorts.join(',') || '-'} status ${h.statusPort}`)
    onStop(() => h.close())
    return
  }
  if (cmd === 'start' && !sub) return supervise(settings)
  if (cmd === 'migrations') {
    const { openDatabase } = await import('@postern/admin/store/database.ts')
    let db
    try {
      db = await openDatabase(settings, { migrate: sub === 'up' })
    } catch (e) {
      fail((e as Error).message)
    }
    for (const m of await db.migrationStatus()) process.stdout.write(`${m.applied ? 'applied' : 'pending'}  ${m.name}\n`)
    await db.close()
    return
  }
  if (cmd === 'config') {
    const { runConfigCommand } = await import('@postern/admin/declarative/cli.ts')
    return runConfigCommand(sub, process.argv[4], settings)
  }
  fail(`usage: postern start [admin|proxy] | migrations up|list | config parse|db_import|db_export <file>`)
}

function ready(what: string): void {
  process.stdout.write(`postern ready: ${what} pid ${process.pid}\n`)
}

function onStop(close: () => Promise<void>): void {
  let stopping = false
  const stop = async () => {
    if (stopping) return
    stopping = true
    const t = setTimeout(() => process.exit(1), 5000)
    t.unref()
    await close().catch(() => {})
    process.exit(0)
  }
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)
}

/**
 * Run admin and proxy as two processes; forward signals; if either dies, stop the other. Unless
 * KONG_CLUSTER_CONTROL_PLANE is set, the proxy follows the admin's own KONG_CLUSTER_LISTEN (on an ephemeral
 * `:0`, the port the admin announces once it is ready).
 */
function supervise(settings: Settings): void {
  const self = fileURLToPath(import.meta.url)
  const children: ChildProcess[] = []
  let stopping = false
  const running = (c: ChildProcess) => c.exitCode === null && c.signalCode === null
  const stopAll = (code: number) => {
    if (stopping) return
    stopping = true
    for (const c of children) if (running(c)) c.kill('SIGTERM')
    setTimeout(() => process.exit(code), 6000)
    Promise.all(children.map((c) => (running(c) ? new Promise((r) => c.once('exit', r)) : null))).then(() => process.exit(code))
  }
  const start = (plane: 'admin' | 'proxy', env: NodeJS.ProcessEnv, stdout: 'inherit' | 'pipe'): ChildProcess => {
    const flags = plane === 'proxy' ? proxyNodeFlags(process.execArgv, process.env.NODE_OPTIONS) : process.execArgv
    const child = spawn(process.execPath, [...flags, self, 'start', plane], { stdio: ['inherit', stdout, 'inherit'], env })
    child.on('exit', (code, signal) => {
      if (!stopping) {
        process.stderr.write(`postern: ${plane} exited (${signal ?? code}); stopping\n`)
        stopAll(1)
      }
    })
    children.push(child)
    return child
  }
  process.on('SIGTERM', () => stopAll(0))
  process.on('SIGINT', () => stopAll(0))
  const startProxy = (env: NodeJS.ProcessEnv) => void (stopping || start('proxy', proxyEnv(env), 'inherit'))
  const cluster = settings.clusterListen[0]
  if (process.env.KONG_CLUSTER_CONTROL_PLANE || cluster === undefined || cluster.port !== 0) {
    // both at once: a proxy serves its cached configuration while the admin starts
    start('admin', process.env, 'inherit')
    const follow = !process.env.KONG_CLUSTER_CONTROL_PLANE && cluster !== undefined
    return startProxy(follow ? { ...process.env, KONG_CLUSTER_CONTROL_PLANE: `${connectHost(cluster.host)}:${cluster.port}` } : process.env)
  }
  // an ephemeral cluster port is known once the admin announces it
  const admin = start('admin', process.env, 'pipe')
  let seen: string | null = ''
  admin.stdout!.on('data', (d: Buffer) => {
    process.stdout.write(d)
    if (seen === null) return
    seen += d.toString('latin1')
    const m = /postern ready: admin \S+ cluster (\d+)/.exec(seen)
    if (m === null) return
    seen = null
    startProxy({ ...process.env, KONG_CLUSTER_CONTROL_PLANE: `${connectHost(cluster.host)}:${m[1]}` })
  })
}

/** Where a local proxy reaches a listener: a wildcard address means this machine's loopback. */
function connectHost(listenHost: string): string {
  if (listenHost === '0.0.0.0' || listenHost === '') return '127.0.0.1'
  if (listenHost === '::') return '[::1]'
  return listenHost.includes(':') && !listenHost.startsWith('[') ? `[${listenHost}]` : listenHost
}

// expected start-up failures (bad plugin, bad config file, newer schema) print their message alone
const EXPECTED = new Set(['POSTERN_PLUGIN_INVALID', 'POSTERN_SCHEMA_TOO_NEW', 'POSTERN_DATABASE_UNREACHABLE', 'POSTERN_ADMIN_INSECURE'])
main().catch((e) => fail(EXPECTED.has(e?.code) ? e.message : (e?.stack ?? String(e))))
