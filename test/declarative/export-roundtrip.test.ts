// Export → DB-less import → same traffic: a configuration built through the admin API in database mode is
// exported (GET /config and `postern config db_export`), served DB-less from that file with the same answers,
// and imported into another database by `postern config db_import` unchanged.
import { execFile } from 'node:child_process'
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startEchoUpstream, type EchoUpstream } from '../fixtures/echo-upstream.ts'
import { AdminClient } from '../support/admin-client.ts'
import { ROOT, startGateway, tempPrefix, waitForVersion } from '../support/processes.ts'
import { removeConfigs, startDbless, writeConfig } from './support.ts'

let up: EchoUpstream
let db: Awaited<ReturnType<typeof startGateway>>
let admin: AdminClient
const prefixes: string[] = []

/** Run `postern config ...`; resolves with the exit code and output instead of throwing. */
async function cli(args: string[], prefix: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env, KONG_PREFIX: prefix, KONG_LOG_LEVEL: 'warn' }
  return promisify(execFile)(process.execPath, ['--import', 'tsx', join(ROOT, 'bin/postern.ts'), 'config', ...args], { cwd: ROOT, env }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  )
}

const REQUESTS: [string, Record<string, string>][] = [
  ['/plain/a', {}],
  ['/items/42', {}],
  ['/items/abc', {}],
  ['/keyed/x', {}],
  ['/keyed/x', { apikey: 'alice-key' }],
  ['/keyed/x', { apikey: 'bob-key' }],
  ['/nowhere', {}],
]

/** What a client sees: status, and where the request landed upstream or the gateway's message. */
async function observe(proxy: string): Promise<string[]> {
  const out: string[] = []
  for (const [path, headers] of REQUESTS) {
    const res = await fetch(`${proxy}${path}`, { headers })
    const body = (await res.json()) as { path?: string; message?: string }
    out.push(`${res.status} ${body.path ?? body.message}`)
  }
  return out
}

let before: string[]

beforeAll(async () => {
  up = await startEchoUpstream()
  db = await startGateway()
  admin = new AdminClient(db.admin.url)
  const ok = <T extends { status: number; text: string }>(r: T): T => {
    if (r.status >= 300) throw new Error(r.text)
    return r
  }
  ok(await admin.post('/services', { name: 'echo', url: `${up.url}/base` }))
  ok(await admin.post('/services/echo/routes', { name: 'plain', paths: ['/plain'] }))
  ok(await admin.post('/services/echo/routes', { name: 'items', paths: ['~/items/\\d+$'], strip_path: false }))
  ok(await admin.post('/services/echo/routes', { name: 'keyed', paths: ['/keyed'] }))
  ok(await admin.post('/routes/keyed/plugins', { name: 'key-auth' }))
  ok(await admin.post('/consumers', { username: 'alice' }))
  ok(await admin.post('/consumers', { username: 'bob' }))
  ok(await admin.post('/consumers/alice/key-auth', { key: 'alice-key' }))
  ok(await admin.post('/consumers/bob/key-auth', { key: 'bob-key' }))
  ok(await admin.post('/consumers/alice/oauth2', { name: 'app', hash_secret: true, client_secret: 's3cret', redirect_uris: ['https://app.test/cb'] }))
  const last = ok(await admin.post('/consumers/bob/plugins', { name: 'request-termination', config: { status_code: 403, message: 'bob is suspended' } }))
  await waitForVersion(db.proxy, last.version)
  before = await observe(db.proxy.url)
})
afterAll(async () => {
  await db?.stop()
  await up?.close()
  removeConfigs()
  for (const p of prefixes) rmSync(p, { recursive: true, force: true })
})

describe('export and re-import', () => {
  it('refuses POST /config in database mode, as Kong does', async () => {
    const res = await admin.post('/config', { _format_version: '3.0' })
    expect(res.status).toBe(400)
    expect(res.body).toEqual({ message: 'this endpoint is only available when Kong is configured to not use a database' })
  })

  it('serves the same traffic DB-less from the exported file, with the same ids', async () => {
    const res = await admin.get('/config')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^application\/yaml/)
    expect(res.text).toMatch(/^_format_version: "3\.0"\n_transform: false\n/)
    expect(before).toEqual(['200 /base/a', '200 /base/items/42', '404 no Route matched with those values', '401 No API key found in request', '200 /base/x', '403 bob is suspended', '404 no Route matched with those values'])
    const dbless = await startDbless({ file: writeConfig(res.text) })
    try {
      expect(await observe(dbless.proxy)).toEqual(before)
      for (const path of ['/services/echo', '/routes/items', '/consumers/alice', '/consumers/alice/oauth2']) {
        expect((await dbless.admin.get(path)).body).toEqual((await admin.get(path)).body)
      }
    } finally {
      await dbless.stop()
    }
  })

  it('exports with the CLI what GET /config exports, and db_import → db_export gives the file back', async () => {
    const fresh = tempPrefix('import')
    prefixes.push(fresh)
    const file = join(fresh, 'kong.yml')
    const exported = await cli(['db_export', file], db.admin.prefix)
    expect(exported).toMatchObject({ code: 0 })
    const { text: viaApi } = await admin.get('/config')
    const roundTrip = async () => {
      const imported = await cli(['db_import', file], fresh)
      expect(imported).toMatchObject({ code: 0, stdout: 'parse successful, beginning import\nimport successful\n' })
      return (await cli(['db_export', '-'], fresh)).stdout
    }
    const [again, overwrite] = await Promise.all([roundTrip(), cli(['db_export', file], db.admin.prefix)])
    expect(again).toBe(viaApi)
    expect(overwrite).toMatchObject({ code: 1, stderr: `Error: ${file} already exists. Will not overwrite it.\n` })
  })

  it('checks a file with `config parse` and exits non-zero naming the broken field', async () => {
    const good = writeConfig('_format_version: "3.0"\nservices:\n- name: a\n  host: a.test\n')
    const bad = writeConfig('_format_version: "3.0"\nservices:\n- name: a\n  protocol: nope\n  host: a.test\n')
    const [ok, broken] = await Promise.all([cli(['parse', good], db.admin.prefix), cli(['parse', bad], db.admin.prefix)])
    expect(ok).toMatchObject({ code: 0, stdout: 'parse successful\n' })
    expect(broken.code).toBe(1)
    expect(broken.stderr).toBe("Error: Failed parsing:\nin 'services':\n  - in entry 1 of 'services':\n    in 'protocol': expected one of: grpc, grpcs, http, https, tcp, tls, tls_passthrough, udp\n")
  })
})
