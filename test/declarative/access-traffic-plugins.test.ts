// ip-restriction, cors, request-size-limiting and bot-detection from a DB-less kong.yml, with KONG_PLUGINS
// naming them one by one: loaded at start, enforced by the proxy, and refused when not enabled.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startEchoUpstream, type EchoUpstream } from '../fixtures/echo-upstream.ts'
import { send } from '../support/http.ts'
import { removeConfigs, startDbless, writeConfig, type Dbless } from './support.ts'

const PLUGINS = 'key-auth,ip-restriction,cors,request-size-limiting,bot-detection'
let d: Dbless
let up: EchoUpstream

const yaml = (url: string) => `_format_version: "3.0"
services:
- name: echo
  url: ${url}
  plugins:
  - name: request-size-limiting
    config: { allowed_payload_size: 8, size_unit: bytes }
  routes:
  - name: guarded
    paths: [/guarded]
    plugins:
    - name: ip-restriction
      config: { deny: ["127.0.0.0/8", "::1"], message: "no loopback" }
  - name: web
    paths: [/web]
    plugins:
    - name: cors
      config: { origins: ["http://app.test"], max_age: 60 }
    - name: key-auth
consumers:
- username: robot
  keyauth_credentials:
  - key: robot-key
  plugins:
  - name: request-size-limiting
    config: { allowed_payload_size: 2, size_unit: bytes }
plugins:
- name: bot-detection
  config: { deny: ["^EvilAgent"] }
`

beforeAll(async () => {
  up = await startEchoUpstream()
  d = await startDbless({ file: writeConfig(yaml(up.url)), plugins: PLUGINS })
})
afterAll(async () => {
  await d?.stop()
  await up?.close()
  removeConfigs()
})

describe('access and traffic plugins in DB-less mode', () => {
  it('enforces ip-restriction from the file', async () => {
    const r = await send(`${d.proxy}/guarded`)
    expect(r.status).toBe(403)
    expect(r.body.message).toBe('no loopback')
  })

  it('answers cors preflights before key-auth and requires the key otherwise', async () => {
    const pre = await send(`${d.proxy}/web`, { method: 'OPTIONS', headers: { origin: 'http://app.test', 'access-control-request-method': 'GET' } })
    expect(pre.status).toBe(200)
    expect(pre.headers['access-control-allow-origin']).toBe('http://app.test')
    expect(pre.headers['access-control-max-age']).toBe('60')
    expect((await send(`${d.proxy}/web`)).status).toBe(401)
    expect((await send(`${d.proxy}/web`, { headers: { apikey: 'robot-key' } })).status).toBe(200)
  })

  it('applies request-size-limiting on the service and, more specifically, on the consumer', async () => {
    expect((await send(`${d.proxy}/web`, { method: 'POST', body: '123', headers: { 'x-x': '1' } })).status).toBe(401)
    expect((await send(`${d.proxy}/web`, { method: 'POST', body: '123', headers: { apikey: 'robot-key' } })).status).toBe(413)
    expect((await send(`${d.proxy}/web`, { method: 'POST', body: '12', headers: { apikey: 'robot-key' } })).status).toBe(200)
  })

  it('applies global bot-detection', async () => {
    expect((await send(`${d.proxy}/web`, { headers: { 'user-agent': 'EvilAgent/1.0', apikey: 'robot-key' } })).status).toBe(403)
    expect((await send(`${d.proxy}/web`, { headers: { 'user-agent': 'curl/8.0', apikey: 'robot-key' } })).status).toBe(200)
  })

  it('refuses a config that names a plugin KONG_PLUGINS does not enable, and bad plugin config', async () => {
    const off = await d.load(`_format_version: "3.0"\nplugins:\n- name: request-termination\n`)
    expect(off.status).toBe(400)
    expect(off.body.fields).toEqual({ plugins: [{ name: "plugin 'request-termination' not enabled; add it to the 'plugins' configuration property" }] })
    const bad = await d.load(`_format_version: "3.0"\nplugins:\n- name: ip-restriction\n  config: { allow: [nope] }\n`)
    expect(bad.status).toBe(400)
    expect(bad.body.fields).toEqual({ plugins: [{ config: { allow: ["invalid ip or cidr range: 'nope'"] } }] })
  })

  it('lists the plugins at /plugins/enabled', async () => {
    expect((await d.admin.get('/plugins/enabled')).body.enabled_plugins.sort()).toEqual(PLUGINS.split(',').sort())
  })
})
