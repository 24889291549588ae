// basic-auth, hmac-auth and acl in DB-less mode: credentials and groups nested under consumers in kong.yml,
// plaintext passwords hashed at load, an exported config reloaded without hashing twice; and KONG_PLUGINS.
import { createHmac } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startDbless, removeConfigs, type Dbless } from '../../declarative/support.ts'
import { startAdmin, type AdminProc } from '../../support/processes.ts'
import { AdminClient } from '../../support/admin-client.ts'
import { send } from '../../support/http.ts'
import { startEchoUpstream, type EchoUpstream } from '../../fixtures/echo-upstream.ts'

let d: Dbless
let up: EchoUpstream
const basic = (user: string, pw: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${pw}`).toString('base64')}` })
const get = (path: string, headers: Record<string, string> = {}) => send(d.proxy + path, { headers })

function hmac(path: string, user: string, secret: string): Record<string, string> {
  const date = new Date().toUTCString()
  const sig = createHmac('sha512', secret).update(`date: ${date}\nGET ${path} HTTP/1.1`).digest('base64')
  return { date, authorization: `hmac username="${user}", algorithm="hmac-sha512", headers="date request-line", signature="${sig}"` }
}

const config = () => `_format_version: "3.0"
services:
- name: echo
  url: ${up.url}
  routes:
  - name: basic
    paths: [/basic]
    plugins:
    - name: basic-auth
    - name: acl
      config:
        allow: [staff]
  - name: hmac
    paths: [/hmac]
    plugins:
    - name: hmac-auth
      config:
        algorithms: [hmac-sha512]
    - name: acl
      config:
        deny: [interns]
consumers:
- username: alice
  basicauth_credentials:
  - username: alice
    password: alice-pw
  hmacauth_credentials:
  - username: alice
    secret: alice-secret
  acls:
  - group: staff
- username: ivan
  basicauth_credentials:
  - username: ivan
    password: ivan-pw
  hmacauth_credentials:
  - username: ivan
    secret: ivan-secret
  acls:
  - group: interns
`

beforeAll(async () => {
  up = await startEchoUpstream()
  d = await startDbless()
})
afterAll(async () => {
  await d?.stop()
  await up?.close()
  removeConfigs()
})

describe('DB-less kong.yml', () => {
  it('loads credentials and groups nested under consumers, hashing plaintext passwords', async () => {
    const res = await d.load(config())
    expect(res.status, res.text).toBe(201)
    const creds = Object.values(res.body.basicauth_credentials) as { username: string; password: string }[]
    expect(creds.map((c) => c.password).every((p) => p.startsWith('$scrypt$'))).toBe(true)
    expect(Object.values(res.body.acls).map((a: any) => a.group).sort()).toEqual(['interns', 'staff'])
    expect((await d.admin.get('/consumers/alice/acls/staff')).status).toBe(200)
  })

  it('serves basic-auth with acl and hmac-auth with acl from the file', async () => {
    expect((await get('/basic', basic('alice', 'alice-pw'))).status).toBe(200)
    expect((await get('/basic', basic('ivan', 'ivan-pw'))).status).toBe(403)
    expect((await get('/basic', basic('alice', 'wrong'))).status).toBe(401)
    const ok = await get('/hmac', hmac('/hmac', 'alice', 'alice-secret'))
    expect(ok.status).toBe(200)
    expect(ok.body.headers['x-consumer-groups']).toBe('staff')
    expect((await get('/hmac', hmac('/hmac', 'ivan', 'ivan-secret'))).status).toBe(403)
  })

  it('keeps stored hashes when an exported config is loaded again', async () => {
    const exported = (await d.admin.get('/config')).body.config as string
    expect(exported).toContain('$scrypt$')
    expect(exported).not.toContain('alice-pw')
    const res = await d.load(exported)
    expect(res.status, res.text).toBe(201)
    expect((await get('/basic', basic('alice', 'alice-pw'))).status).toBe(200)
  })

  it('rejects a credential without its required fields, with Kong\'s flattened errors', async () => {
    const res = await d.load(config().replace('    password: alice-pw\n', ''))
    expect(res.status).toBe(400)
    expect(res.text).toContain('required field missing')
  })
})

describe('KONG_PLUGINS', () => {
  let only: AdminProc
  beforeAll(async () => {
    only = await startAdmin({ env: { KONG_PLUGINS: 'key-auth' } })
  })
  afterAll(() => only?.stop())

  it('leaves basic-auth, hmac-auth and acl out unless enabled', async () => {
    const admin = new AdminClient(only.url)
    for (const name of ['basic-auth', 'hmac-auth', 'acl']) {
      const r = await admin.post('/plugins', { name, config: name === 'acl' ? { allow: ['a'] } : {} })
      expect(r.status).toBe(400)
      expect(r.body.fields.name).toBe(`plugin '${name}' not enabled; add it to the 'plugins' configuration property`)
    }
    const enabled = await d.admin.get('/plugins/enabled')
    expect(enabled.body.enabled_plugins).toEqual(expect.arrayContaining(['basic-auth', 'hmac-auth', 'acl']))
  })
})
