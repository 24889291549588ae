// The bundle `pnpm start` runs (dist/postern.mjs, scripts/build.mjs): every other black-box file starts the
// TypeScript entry through tsx, so this one proves the build itself — npm libraries inlined (zod, jose,
// drizzle-orm, pino), the rest external, undici required by file — on SQLite and on Postgres: admin writes, a jwt
// RS256 credential, the proxy answering 200 and Kong's 401, a third-party plugin loaded by path, the proxy's
// config cache; and the file as package.json's `bin` (run directly).
import { spawn, spawnSync } from 'node:child_process'
import { generateKeyPairSync } from 'node:crypto'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { SignJWT, importPKCS8 } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startEchoUpstream, type EchoUpstream } from './fixtures/echo-upstream.ts'
import { send } from './support/http.ts'
import { createPgDatabase, type PgDatabase } from './support/pg.ts'
import { ROOT, tempPrefix } from './support/processes.ts'

let up: EchoUpstream
beforeAll(async () => {
  const b = spawnSync(process.execPath, ['scripts/build.mjs', '--no-gui'], { cwd: ROOT, encoding: 'utf8' })
  expect(b.status, b.stderr).toBe(0)
  up = await startEchoUpstream()
})
afterAll(async () => {
  await up?.close()
})

/**
 * `node dist/postern.mjs start` (both planes under the supervisor), as `pnpm start` runs it; with `asBin`,
 * the file itself is run, as package.json's `bin` runs it (its `#!/usr/bin/env node`, its exec bit).
 * Every port is ephemeral: the supervisor points the proxy at the cluster port the admin took.
 */
async function startBundle(env: Record<string, string>, asBin = false) {
  const prefix = tempPrefix('bundle')
  const entry = join(ROOT, 'dist/postern.mjs')
  const proc = spawn(asBin ? entry : process.execPath, asBin ? ['start'] : [entry, 'start'], {
    cwd: ROOT,
    env: {
      ...process.env,
      KONG_PREFIX: prefix,
      KONG_ADMIN_LISTEN: '127.0.0.1:0',
      KONG_CLUSTER_LISTEN: '127.0.0.1:0',
      KONG_ADMIN_GUI_LISTEN: '127.0.0.1:0',
      KONG_PROXY_LISTEN: '127.0.0.1:0',
      KONG_STATUS_LISTEN: '127.0.0.1:0',
      KONG_LOG_LEVEL: 'info',
      KONG_PLUGINS: 'bundled,./examples/postern-plugin-header-echo/index.ts',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  proc.stdout.on('data', (d) => (out += d))
  proc.stderr.on('data', (d) => (out += d))
  const exited = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)))
  for (let i = 0; i < 600 && proc.exitCode === null; i++) {
    const a = out.match(/admin (\d+) cluster \d+/)
    const p = out.match(/proxy (\d+) tls [\d,-]+ status (\d+)/)
    if (a && p) {
      return {
        admin: `http://127.0.0.1:${a[1]}`,
        proxy: `http://127.0.0.1:${p[1]}`,
        status: `http://127.0.0.1:${p[2]}`,
        prefix,
        output: () => out,
        stop: () => (proc.kill('SIGTERM'), exited),
      }
    }
    await new Promise((r) => setTimeout(r, 50))
  }
  proc.kill('SIGKILL')
  throw new Error(`the bundle did not start:\n${out}`)
}

const json = (url: string, method: string, body: unknown) =>
  send(url, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })

async function runFlow(env: Record<string, string>, asBin = false) {
  const gw = await startBundle(env, asBin)
  try {
    expect((await json(`${gw.admin}/services`, 'POST', { name: 'b', url: up.url })).status).toBe(201)
    expect((await json(`${gw.admin}/services/b/routes`, 'POST', { name: 'b', paths: ['/b'] })).status).toBe(201)
    const bad = await json(`${gw.admin}/services`, 'POST', { name: 'x', url: 'ftp://nope' })
    expect(bad.status).toBe(400)
    expect(bad.body.name).toBe('schema violation')
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString()
    expect((await json(`${gw.admin}/consumers`, 'POST', { username: 'ann' })).status).toBe(201)
    expect((await json(`${gw.admin}/consumers/ann/jwt`, 'POST', { key: 'ann-iss', algorithm: 'RS256', rsa_public_key: pem })).status).toBe(201)
    expect((await json(`${gw.admin}/routes/b/plugins`, 'POST', { name: 'jwt' })).status).toBe(201)
    const key = await importPKCS8(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), 'RS256')
    const token = await new SignJWT({ iss: 'ann-iss' }).setProtectedHeader({ alg: 'RS256' }).sign(key)
    // the proxy follows the admin: wait until the plugin is applied
    let denied = await send(`${gw.proxy}/b/echo`)
    for (let i = 0; i < 100 && denied.status !== 401; i++) {
      await new Promise((r) => setTimeout(r, 50))
      denied = await send(`${gw.proxy}/b/echo`)
    }
    expect(denied.status, gw.output()).toBe(401)
    expect(denied.body.message).toBe('Unauthorized')
    const ok = await send(`${gw.proxy}/b/echo`, { headers: { authorization: `Bearer ${token}` } })
    expect(ok.status).toBe(200)
    expect(ok.body.url).toBe('/echo') // strip_path
    expect(ok.body.headers['x-consumer-username']).toBe('ann')
    // a third-party plugin loaded by path brings its own zod (node_modules), the bundle has its own inlined
    const echo = await json(`${gw.admin}/routes/b/plugins`, 'POST', { name: 'header-echo', config: { headers: ['x-tag'], required: 'yes' } })
    expect(echo.status).toBe(400)
    expect(echo.body.fields.config.required).toBeDefined()
    expect((await json(`${gw.admin}/routes/b/plugins`, 'POST', { name: 'header-echo', config: { headers: ['x-tag'] } })).status).toBe(201)
    let echoed = await send(`${gw.proxy}/b/echo`, { headers: { authorization: `Bearer ${token}`, 'x-tag': 't1' } })
    for (let i = 0; i < 100 && echoed.headers['x-echo-x-tag'] === undefined; i++) {
      await new Promise((r) => setTimeout(r, 50))
      echoed = await send(`${gw.proxy}/b/echo`, { headers: { authorization: `Bearer ${token}`, 'x-tag': 't1' } })
    }
    expect(echoed.headers['x-echo-x-tag']).toBe('t1')
    expect(existsSync(join(gw.prefix, 'config-cache.json')) || existsSync(join(gw.prefix, 'config-cache.journal'))).toBe(true)
    // pino is bundled too (scripts/build.mjs): its JSON lines, with Kong's level names and ISO times, on stderr
    const lines = gw.output().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l))
    const started = lines.find((l) => l.component === 'proxy' && l.msg === 'proxy started')
    expect(started, gw.output()).toMatchObject({ level: 'info', component: 'proxy' })
    expect(new Date(started.time).toISOString()).toBe(started.time)
  } finally {
    expect(await gw.stop()).toBe(0)
  }
}

describe('the bundle (dist/postern.mjs)', () => {
  it('serves the admin API and proxies with jwt RS256 on SQLite, run as package.json\'s bin', async () => {
    await runFlow({}, true)
  })

  let db: PgDatabase | undefined
  afterAll(async () => {
    await db?.drop()
  })
  it('does the same on Postgres', async () => {
    db = await createPgDatabase()
    await runFlow(db.env)
  })
})
