// Starts and stops the benchmark's processes (echo upstream, reference proxy, nginx, Postern), pinned to cores with taskset.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { buildSync } from 'esbuild'
import { PROXY_ENV, PROXY_NODE_FLAGS } from '@postern/shared'

export const ROOT = resolve(import.meta.dirname, '..')
/**
 * A bench script (echo upstream, reference proxy, peers) compiled once to plain JavaScript, so that it runs on
 * node alone as Postern's bundle does: under the tsx loader each closure made per request pays a keepNames
 * defineProperty and the process carries the loader's thread and ~35 MB, which would handicap the yardsticks.
 */
const compiled = new Map<string, string>()
function plainJs(ts: string): string {
  let out = compiled.get(ts)
  if (!out) {
    out = join(ROOT, 'bench/tmp/js', ts.replace(/\//g, '_').replace(/\.ts$/, '.mjs'))
    buildSync({ entryPoints: [join(ROOT, ts)], outfile: out, bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', logLevel: 'warning' })
    compiled.set(ts, out)
  }
  return out
}

export interface Started {
  name: string
  proc: ChildProcess
  port: number
  match: RegExpMatchArray
  output(): string
}

/** Every child we started, so that stopAll() (and the exit hooks in run.ts) can end exactly these pids. */
const children = new Set<ChildProcess>()
const tempDirs = new Set<string>()

/** Registers a child started elsewhere (the load generator) so that stopAll() ends it too. */
export function track(proc: ChildProcess): void {
  children.add(proc)
  proc.on('exit', () => children.delete(proc))
}

export function hasCommand(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0
}

export function tempDir(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `postern-bench-${name}-`))
  tempDirs.add(dir)
  return dir
}

/** `taskset -c <core> cmd …` when a core is given; taskset execs, so the pid stays the target's. */
export function pinned(core: string | null, argv: string[]): string[] {
  return core === null ? argv : ['taskset', '-c', core, ...argv]
}

/** Spawns argv and resolves once its output matches `ready` (or, for silent servers, once `probePort` accepts). */
export function launch(name: string, argv: string[], opts: { env?: Record<string, string>; ready?: RegExp; probePort?: number; timeoutMs?: number }): Promise<Started> {
  const proc = spawn(argv[0], argv.slice(1), { cwd: ROOT, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] })
  children.add(proc)
  let out = ''
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()))
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()))
  proc.on('exit', () => children.delete(proc))
  const output = () => out
  return new Promise((resolveP, reject) => {
    const deadline = Date.now() + (opts.timeoutMs ?? 30_000)
    const fail = (why: string) => {
      proc.kill('SIGKILL')
      reject(new Error(`${name}: ${why}\n${out}`))
    }
    proc.once('exit', (code) => fail(`exited with ${code} before ready`))
    const tick = async () => {
      if (proc.exitCode !== null) return
      if (Date.now() > deadline) return fail('not ready in time')
      if (opts.ready) {
        const m = out.match(opts.ready)
        if (m) return resolveP({ name, proc, port: Number(m[1]), match: m, output })
      } else if (opts.probePort && (await accepts(opts.probePort))) {
        return resolveP({ name, proc, port: opts.probePort, match: [] as unknown as RegExpMatchArray, output })
      }
      setTimeout(tick, 25)
    }
    tick()
  })
}

function accepts(port: number): Promise<boolean> {
  return new Promise((r) => {
    const s = connect(port, '127.0.0.1')
    s.once('connect', () => (s.destroy(), r(true)))
    s.once('error', () => r(false))
  })
}

/** A port that was free a moment ago (for nginx, which cannot listen on 0 and report back). */
export function freePort(): Promise<number> {
  return new Promise((r, j) => {
    const srv = createServer()
    srv.once('error', j)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number }
      srv.close(() => r(port))
    })
  })
}

/** Loopback addresses the echo upstream also answers on, one per target of the upstream row (scenarios.ts). */
export const ECHO_TARGET_HOSTS = ['127.0.0.1', '127.0.0.2', '127.0.0.3', '127.0.0.4']

export function startEcho(core: string | null): Promise<Started> {
  return launch('echo-upstream', pinned(core, [process.execPath, plainJs('test/fixtures/echo-upstream.ts'), '0']), { ready: /listening (\d+)/, env: { HOST: ECHO_TARGET_HOSTS.join(',') } })
}

/** A command that runs the process under test inside another (`valgrind …` for `--instructions`): slow to start. */
const wrapped = (wrap: string[]) => (wrap.length > 0 ? { timeoutMs: WRAPPED_START_MS } : {})
const WRAPPED_START_MS = 240_000

export function startReference(core: string | null, upstreamUrl: string, nodeFlags: string[] = [], wrap: string[] = []): Promise<Started> {
  return launch('reference-proxy', pinned(core, [...wrap, process.execPath, ...nodeFlags, plainJs('bench/reference-proxy.ts'), '0', upstreamUrl]), { ready: /listening (\d+)/, ...wrapped(wrap) })
}

/** The Node gateways users pick, as peers in the same run: one script per peer under bench/peers/. */
export type PeerName = 'fastify-http-proxy' | 'fast-gateway'

export function startPeer(peer: PeerName, core: string | null, upstreamUrl: string, nodeFlags: string[] = [], wrap: string[] = []): Promise<Started> {
  return launch(peer, pinned(core, [...wrap, process.execPath, ...nodeFlags, plainJs(`bench/peers/${peer}.ts`), '0', upstreamUrl]), { ready: /listening (\d+)/, ...wrapped(wrap) })
}

/** nginx with one worker (one core, like one Node process), keep-alive to the upstream, no logs on the hot path. */
export async function startNginx(core: string | null, upstreamPort: number): Promise<Started> {
  const dir = tempDir('nginx')
  const port = await freePort()
  const user = process.getuid?.() === 0 ? 'user root;\n' : ''
  writeFileSync(
    join(dir, 'nginx.conf'),
    `${user}worker_processes 1;\ndaemon off;\npid ${dir}/nginx.pid;\nerror_log ${dir}/error.log warn;\n` +
      `events { worker_connections 4096; }\n` +
      `http {\n  access_log off;\n  client_body_temp_path ${dir}/body;\n  proxy_temp_path ${dir}/proxy;\n` +
      `  fastcgi_temp_path ${dir}/fcgi;\n  uwsgi_temp_path ${dir}/uwsgi;\n  scgi_temp_path ${dir}/scgi;\n` +
      `  upstream echo { server 127.0.0.1:${upstreamPort}; keepalive 128; }\n` +
      `  server {\n    listen 127.0.0.1:${port};\n    keepalive_requests 1000000;\n` +
      `    location / { proxy_pass http://echo; proxy_http_version 1.1; proxy_set_header Connection ""; }\n  }\n}\n`,
  )
  return launch('nginx', pinned(core, ['nginx', '-p', dir, '-e', join(dir, 'error.log'), '-c', join(dir, 'nginx.conf')]), { probePort: port })
}

/**
 * How Postern is started: `dist` runs the esbuild bundle that `pnpm start` runs (built here by scripts/build.mjs),
 * `src` runs bin/postern.ts through tsx (whose keepNames helper costs a defineProperty per closure per request).
 */
export function posternEntry(mode: string): { entry: string; note: string } {
  const build = join(ROOT, 'scripts/build.mjs')
  if (mode === 'src' || (mode === 'auto' && !existsSync(build))) return { entry: 'bin/postern.ts', note: 'bin/postern.ts via tsx' }
  const r = spawnSync(process.execPath, [build], { cwd: ROOT, encoding: 'utf8' })
  if (r.status === 0) return { entry: 'dist/postern.mjs', note: 'dist/postern.mjs (scripts/build.mjs, as pnpm start)' }
  if (mode === 'dist') throw new Error(`scripts/build.mjs failed:\n${r.stderr}`)
  return { entry: 'bin/postern.ts', note: `bin/postern.ts via tsx (scripts/build.mjs failed: ${r.stderr.split('\n')[0]})` }
}

/** node [flags] entry args: the bundle runs on plain node (as `pnpm start`), the TypeScript entry through tsx. */
export function posternArgv(entry: string, nodeFlags: string[], args: string[]): string[] {
  return [process.execPath, ...nodeFlags, ...(entry.endsWith('.ts') ? ['--import', 'tsx'] : []), entry, ...args]
}

/** The line a Postern proxy prints once it listens: proxy port, TLS ports, status port. */
export const PROXY_READY = /postern ready: proxy (\d+) tls [\d,-]+ status (\d+)/

export interface Gateway {
  name: string
  admin: Started
  proxy: Started
  adminUrl: string
  proxyUrl: string
  /** First `ssl` listener, when the gateway has one (the HTTP/2 row's). */
  tlsUrl?: string
  statusUrl: string
  /** The proxy's KONG_PREFIX (holds config-cache.json) and its environment, for restarting it (cold start). */
  proxyPrefix: string
  proxyEnv: Record<string, string>
  proxyArgv: string[]
}

/** One admin (on the control core) and one proxy following it (on the data-path core), with a fresh prefix each. */
export async function startGateway(name: string, entry: string, cores: { admin: string | null; proxy: string | null }, proxyNodeFlags: string[] = [], extraProxyEnv: Record<string, string> = {}, storeEnv: Record<string, string> = {}, adminNodeFlags: string[] = [], proxyWrap: string[] = []): Promise<Gateway> {
  // the proxy has its own prefix, so it is given the cluster token rather than reading the admin's file
  const env = { KONG_LOG_LEVEL: 'warn', KONG_CLUSTER_TOKEN: randomBytes(24).toString('hex'), ...storeEnv }
  const admin = await launch(`${name}-admin`, pinned(cores.admin, posternArgv(entry, adminNodeFlags, ['start', 'admin'])), {
    env: { ...env, KONG_PREFIX: tempDir(`${name}-admin`), KONG_ADMIN_LISTEN: '127.0.0.1:0', KONG_CLUSTER_LISTEN: '127.0.0.1:0', KONG_ADMIN_GUI_LISTEN: '127.0.0.1:0' },
    ready: /postern ready: admin (\d+) cluster (\d+)/,
  })
  // the proxy runs with the node flags `pnpm start` gives it
  const proxyArgv = pinned(cores.proxy, [...proxyWrap, ...posternArgv(entry, [...PROXY_NODE_FLAGS, ...proxyNodeFlags], ['start', 'proxy'])])
  const proxyPrefix = tempDir(`${name}-proxy`)
  const proxyEnv = {
    ...env,
    ...PROXY_ENV, // as `pnpm start` gives it
    KONG_PREFIX: proxyPrefix,
    KONG_PROXY_LISTEN: '127.0.0.1:0',
    KONG_STATUS_LISTEN: '127.0.0.1:0',
    KONG_CLUSTER_CONTROL_PLANE: `127.0.0.1:${admin.match[2]}`,
    // single process unless a row asks for workers (the pinned rows compare one core with one core)
    KONG_NGINX_WORKER_PROCESSES: '1',
    ...extraProxyEnv,
  }
  const proxy = await launch(`${name}-proxy`, proxyArgv, { env: proxyEnv, ready: PROXY_READY, ...wrapped(proxyWrap) })
  return {
    name, admin, proxy,
    adminUrl: `http://127.0.0.1:${admin.port}`,
    proxyUrl: `http://127.0.0.1:${proxy.port}`,
    statusUrl: `http://127.0.0.1:${proxy.match[2]}`,
    proxyPrefix, proxyEnv, proxyArgv,
    tlsUrl: tlsPort(proxy.output()),
  }
}

/**
 * A second proxy following a gateway's admin, on the same core (same flags and environment, its own prefix):
 * with the same configuration it can serve any of the gateway's rows, so a plugin row and its baseline on the
 * same gateway can be loaded at the same moment in two processes.
 */
export async function startTwinProxy(gw: Gateway): Promise<{ proc: Started; url: string; statusUrl: string }> {
  const proc = await launch(`${gw.name}-twin-proxy`, gw.proxyArgv, { env: { ...gw.proxyEnv, KONG_PREFIX: tempDir(`${gw.name}-twin`) }, ready: PROXY_READY })
  return { proc, url: `http://127.0.0.1:${proc.port}`, statusUrl: `http://127.0.0.1:${proc.match[2]}` }
}

/** SIGTERM one child and wait (SIGKILL after `graceMs`), e.g. so that --cpu-prof gets written. */
export function stop(p: Started, graceMs = 5000): Promise<void> {
  const proc = p.proc
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve()
  return new Promise((r) => {
    const t = setTimeout(() => proc.kill('SIGKILL'), graceMs)
    proc.once('exit', () => (clearTimeout(t), r()))
    proc.kill('SIGTERM')
  })
}

/** Ends every child this module started (by pid, via the handles) and removes the temp dirs. */
export async function stopAll(): Promise<void> {
  await Promise.all([...children].map((proc) => stop({ proc } as Started)))
  cleanupTemp()
}

/** Synchronous last resort for process exit hooks. */
export function killAllSync(): void {
  for (const proc of children) proc.kill('SIGKILL')
  cleanupTemp()
}

function cleanupTemp(): void {
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true })
  tempDirs.clear()
}

function tlsPort(out: string): string | undefined {
  const m = out.match(/postern ready: proxy [\d,-]+ tls (\d+)/)
  return m ? `https://127.0.0.1:${m[1]}` : undefined
}
