// `postern start` runs admin and proxy under one supervisor: SIGTERM stops both cleanly, and either
// plane dying is reported and stops the other; the proxy follows the cluster port the admin took.
import { describe, expect, it } from 'vitest'
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createServer, type AddressInfo } from 'node:net'
import { join } from 'node:path'
import { ROOT, tempPrefix } from './support/processes.ts'

function startBoth(env: Record<string, string> = {}) {
  const proc = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bin/postern.ts'), 'start'], {
    cwd: ROOT,
    env: {
      ...process.env,
      KONG_PREFIX: tempPrefix('sup'),
      KONG_ADMIN_LISTEN: '127.0.0.1:0',
      KONG_CLUSTER_LISTEN: '127.0.0.1:0',
      KONG_ADMIN_GUI_LISTEN: '127.0.0.1:0',
      KONG_PROXY_LISTEN: '127.0.0.1:0',
      KONG_STATUS_LISTEN: '127.0.0.1:0',
      KONG_LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  proc.stdout.on('data', (d) => (out += d))
  proc.stderr.on('data', (d) => (out += d))
  const ready = new Promise<{ admin: number; adminPid: number; proxy: number; proxyPid: number }>((resolve, reject) => {
    const t = setInterval(() => {
      const a = out.match(/admin (\d+) cluster \d+ pid (\d+)/)
      const p = out.match(/proxy (\d+) tls [\d,-]+ status \d+ pid (\d+)/)
      if (a && p) {
        clearInterval(t)
        resolve({ admin: Number(a[1]), adminPid: Number(a[2]), proxy: Number(p[1]), proxyPid: Number(p[2]) })
      }
    }, 50)
    proc.on('exit', () => {
      clearInterval(t)
      reject(new Error(out))
    })
  })
  const exited = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)))
  return { proc, ready, exited, output: () => out }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

describe('postern start', () => {
  it('runs both planes, and SIGTERM stops both cleanly', async () => {
    const s = startBoth()
    const { admin, adminPid, proxyPid } = await s.ready
    expect((await fetch(`http://127.0.0.1:${admin}/`)).status).toBe(200)
    // the proxy plane gets its malloc setting (shared config/node-flags.ts), the admin does not
    const environ = (pid: number) => readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0')
    expect(environ(proxyPid)).toContain('MALLOC_MMAP_THRESHOLD_=131072')
    expect(environ(adminPid).some((e) => e.startsWith('MALLOC_MMAP_THRESHOLD_='))).toBe(false)
    s.proc.kill('SIGTERM')
    expect(await s.exited).toBe(0)
    expect(alive(adminPid)).toBe(false)
    expect(alive(proxyPid)).toBe(false)
  })

  const freePort = () =>
    new Promise<number>((resolve) => {
      const srv = createServer().listen(0, '127.0.0.1', () => {
        const { port } = srv.address() as AddressInfo
        srv.close(() => resolve(port))
      })
    })

  it.each([
    ['an ephemeral port (the one the admin announces)', async () => '127.0.0.1:0'],
    ['a port other than 8005', async () => `127.0.0.1:${await freePort()}`],
  ])('points the proxy at the admin\'s KONG_CLUSTER_LISTEN: %s', async (_what, listen) => {
    const s = startBoth({ KONG_CLUSTER_LISTEN: await listen() })
    const { admin, proxy } = await s.ready
    const post = (path: string, body: unknown) =>
      fetch(`http://127.0.0.1:${admin}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
    expect((await post('/services', { name: 'sup', url: 'http://127.0.0.1:9' })).status).toBe(201)
    expect((await post('/services/sup/routes', { name: 'sup', paths: ['/sup'] })).status).toBe(201)
    expect((await post('/routes/sup/plugins', { name: 'request-termination', config: { status_code: 200, message: 'from the proxy' } })).status).toBe(201)
    // the proxy applies the change once it follows the admin's cluster channel
    let res: Response | undefined
    for (let i = 0; i < 100 && res?.status !== 200; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, 50))
      res = await fetch(`http://127.0.0.1:${proxy}/sup`)
    }
    expect(res!.status).toBe(200)
    expect(await res!.json()).toEqual({ message: 'from the proxy' })
    s.proc.kill('SIGTERM')
    expect(await s.exited).toBe(0)
  })

  it('stops the admin and exits non-zero when the proxy dies', async () => {
    const s = startBoth()
    const { adminPid, proxyPid } = await s.ready
    process.kill(proxyPid, 'SIGKILL')
    expect(await s.exited).toBe(1)
    expect(s.output()).toContain('proxy exited')
    expect(alive(adminPid)).toBe(false)
  })
})
