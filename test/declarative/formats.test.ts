// kong.yml formats on a DB-less gateway: a JSON file at start, 1.1 and 2.1 files whose regex-looking paths
// are migrated, 3.0 where they stay literal, nesting, references by name, and Kong's deterministic ids.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startEchoUpstream, type EchoUpstream } from '../fixtures/echo-upstream.ts'
import { removeConfigs, startDbless, writeConfig, type Dbless } from './support.ts'

// Kong's UUID v5 ids for a service named `echo`, a route named `users` and a consumer named `alice`
const ECHO_ID = 'adbd70b3-4224-5183-a52a-179d7b34ab5b'
const USERS_ROUTE_ID = '5743af74-e28b-5671-996a-5326ecaba123'
const ALICE_ID = 'b32379d9-3d28-5683-a79c-72139be6e34f'

let d: Dbless
let up: EchoUpstream

const usersConfig = (version: string) => `_format_version: "${version}"
_comment: one service, one route whose path looks like a regex
services:
- name: echo
  url: ${up.url}
  routes:
  - name: users
    paths:
    - /users/\\d+
`

const status = async (path: string, headers: Record<string, string> = {}) => (await fetch(`${d.proxy}${path}`, { headers })).status

beforeAll(async () => {
  up = await startEchoUpstream()
  const json = { _format_version: '3.0', services: [{ name: 'echo', url: up.url, routes: [{ name: 'plain', paths: ['/plain'] }] }] }
  d = await startDbless({ file: writeConfig(JSON.stringify(json), 'json') })
})
afterAll(async () => {
  await d?.stop()
  await up?.close()
  removeConfigs()
})

describe('declarative formats', () => {
  it('starts from a JSON file', async () => {
    expect(await status('/plain/x')).toBe(200)
    expect((await d.admin.get('/services/echo')).body.id).toBe(ECHO_ID)
  })

  it.each(['1.1', '2.1'])('migrates a %s route path that looks like a regex to a ~ regex', async (version) => {
    expect((await d.load(usersConfig(version))).status).toBe(201)
    expect((await d.admin.get('/routes/users')).body.paths).toEqual(['~/users/\\d+'])
    expect(await status('/users/42')).toBe(200)
    expect(await status('/users/abc')).toBe(404)
    // the running config is a 3.0 file from now on
    expect((await d.admin.get('/config')).body.config).toContain('_format_version: "3.0"')
  })

  it('keeps a 3.0 path as a literal prefix and replaces the previous configuration', async () => {
    const res = await d.load(usersConfig('3.0'))
    expect(res.status).toBe(201)
    expect(res.body.routes[USERS_ROUTE_ID].paths).toEqual(['/users/\\d+'])
    expect(await status('/users/42')).toBe(404)
    // the JSON file's route is gone: POST /config replaces everything
    expect(await status('/plain/x')).toBe(404)
    expect((await d.admin.get('/routes')).body.data).toHaveLength(1)
  })

  it('loads nested credentials and plugins, and top-level references by name', async () => {
    const res = await d.load(`_format_version: "3.0"
services:
- name: echo
  url: ${up.url}
  routes:
  - name: users
    paths: [/users]
  plugins:
  - name: key-auth
consumers:
- username: alice
  _ignore: [kept out of the entity]
  keyauth_credentials:
  - key: alice-key
- username: bob
  keyauth_credentials:
  - key: bob-key
plugins:
- name: request-termination
  consumer: bob
  route: users
  config:
    status_code: 403
    message: bob is suspended
`)
    expect(res.status).toBe(201)
    expect(res.body.consumers[ALICE_ID].username).toBe('alice')
    const creds = Object.values(res.body.keyauth_credentials) as { key: string; consumer: { id: string } }[]
    expect(creds.find((c) => c.key === 'alice-key')!.consumer).toEqual({ id: ALICE_ID })
    expect(await status('/users')).toBe(401)
    expect(await status('/users', { apikey: 'alice-key' })).toBe(200)
    const bob = await fetch(`${d.proxy}/users`, { headers: { apikey: 'bob-key' } })
    expect(bob.status).toBe(403)
    expect(await bob.json()).toMatchObject({ message: 'bob is suspended' })
  })

  it('gives named entities the same ids on every load, and Kong the same ids it would give', async () => {
    const first = (await d.admin.get('/routes/users')).body
    expect(first.id).toBe(USERS_ROUTE_ID)
    const plugin = (await d.admin.get('/services/echo/plugins')).body.data[0]
    await d.load(usersConfig('3.0').replace('/users/\\d+', '/users'))
    expect((await d.admin.get('/routes/users')).body.id).toBe(USERS_ROUTE_ID)
    expect((await d.admin.get('/services/echo')).body.id).toBe(ECHO_ID)
    // a plugin's id comes from its cache key (name + scope), so it survives a reload too
    await d.load(`_format_version: "3.0"\nservices:\n- name: echo\n  url: ${up.url}\n  plugins:\n  - name: key-auth\n`)
    expect((await d.admin.get('/services/echo/plugins')).body.data[0].id).toBe(plugin.id)
  })
})
