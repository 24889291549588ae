// response-transformer end to end: header operations, JSON body operations with json_types, non-JSON
// bodies left alone, and a large body streamed untouched when only headers are configured.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startGateway, waitForVersion } from '../../support/processes.ts'
import { AdminClient } from '../../support/admin-client.ts'
import { send } from '../../support/http.ts'
import { startScriptedUpstream, type ScriptedUpstream } from '../../fixtures/scripted-upstream.ts'
import { startEchoUpstream, type EchoUpstream } from '../../fixtures/echo-upstream.ts'

let gw: Awaited<ReturnType<typeof startGateway>>
let up: ScriptedUpstream
let echo: EchoUpstream
let admin: AdminClient
let v = 0

async function w<T extends { version: number; status: number; text: string }>(p: Promise<T>): Promise<T> {
  const r = await p
  if (r.status >= 300) throw new Error(`${r.status} ${r.text}`)
  v = Math.max(v, r.version)
  return r
}
const get = (path: string) => send(gw.proxy.url + path)
const body = (o: unknown) => 'body=' + encodeURIComponent(JSON.stringify(o))

beforeAll(async () => {
  up = await startScriptedUpstream()
  echo = await startEchoUpstream()
  gw = await startGateway()
  admin = new AdminClient(gw.admin.url)
  await w(admin.post('/services', { name: 'svc', url: up.url }))
  await w(admin.post('/services', { name: 'echo', url: echo.url }))
  await w(admin.post('/services/svc/routes', { name: 'headers', paths: ['/headers'] }))
  await w(admin.post('/routes/headers/plugins', {
    name: 'response-transformer',
    config: {
      remove: { headers: ['x-remove'] },
      rename: { headers: ['x-old:x-new'] },
      replace: { headers: ['x-replace:replaced', 'x-absent:never'] },
      add: { headers: ['x-replace:not-added', 'x-add:added'] },
      append: { headers: ['x-append:second'] },
    },
  }))
  await w(admin.post('/services/svc/routes', { name: 'json', paths: ['/json'] }))
  await w(admin.post('/routes/json/plugins', {
    name: 'response-transformer',
    config: {
      remove: { json: ['secret'] },
      rename: { json: ['old:new'] },
      replace: { json: ['count:5'], json_types: ['number'] },
      add: { json: ['flag:true', 'name:x'], json_types: ['boolean'] },
      append: { json: ['tags:b'] },
    },
  }))
  await w(admin.post('/services/echo/routes', { name: 'big', paths: ['/big'] }))
  await w(admin.post('/routes/big/plugins', { name: 'response-transformer', config: { add: { headers: ['x-seen:1'] } } }))
  await waitForVersion(gw.proxy, v)
})
afterAll(async () => {
  await gw?.stop()
  await up?.close()
  await echo?.close()
})

describe('response-transformer', () => {
  it('removes, renames, replaces, adds and appends response headers', async () => {
    const r = await get('/headers?h=x-remove:1&h=x-old:o&h=x-replace:r&h=x-append:first')
    expect(r.status).toBe(200)
    expect(r.headers['x-remove']).toBeUndefined()
    expect(r.headers['x-old']).toBeUndefined()
    expect(r.headers['x-new']).toBe('o')
    expect(r.headers['x-replace']).toBe('replaced')
    expect(r.headers['x-absent']).toBeUndefined()
    expect(r.headers['x-add']).toBe('added')
    expect(r.headers['x-append']).toBe('first, second')
  })

  it('appends a header the upstream did not send', async () => {
    expect((await get('/headers')).headers['x-append']).toBe('second')
  })

  it('transforms a JSON body: remove, rename, replace, add and append with json_types', async () => {
    const r = await get('/json?' + body({ secret: 's', old: 1, count: 1, name: 'kept', tags: 'a' }))
    expect(r.headers['content-length']).toBeUndefined()
    expect(r.body).toEqual({ old: undefined, new: 1, count: 5, flag: true, name: 'kept', tags: ['a', 'b'] })
  })

  it('transforms JSON under a content type with parameters', async () => {
    const r = await get('/json?ct=' + encodeURIComponent('application/json; charset=utf-8') + '&' + body({ secret: 1 }))
    expect(r.body).toEqual({ flag: true, name: 'x', tags: ['b'] })
  })

  it('leaves a non-JSON response alone, Content-Length included', async () => {
    const r = await get('/json?ct=text/plain&body=secret')
    expect(r.text).toBe('secret')
    expect(r.headers['content-length']).toBe('6')
  })

  it('sends an invalid JSON body unchanged', async () => {
    const r = await get('/json?body=%7Bbroken')
    expect(r.text).toBe('{broken')
  })

  it('streams a large body untouched when only headers change', async () => {
    const r = await get('/big/bytes/3000000')
    expect(r.status).toBe(200)
    expect(r.headers['x-seen']).toBe('1')
    expect(r.headers['content-length']).toBe('3000000')
    expect(r.text.length).toBe(3_000_000)
  })

  it('answers 400 for an invalid header name in rename', async () => {
    const r = await admin.post('/plugins', { name: 'response-transformer', config: { rename: { headers: ['a:b c'] } } })
    expect(r.status).toBe(400)
    expect(r.body.fields.config.rename.headers).toEqual(["'b c' is not a valid header"])
  })
})
