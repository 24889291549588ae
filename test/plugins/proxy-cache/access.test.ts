// proxy-cache end to end on one proxy: Miss then Hit without reaching the upstream, Bypass for methods,
// codes and content types, TTL and Refresh, Cache-Control, vary_query_params / vary_headers, X-Cache-Key.
import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startGateway, waitForVersion } from '../../support/processes.ts'
import { AdminClient } from '../../support/admin-client.ts'
import { send } from '../../support/http.ts'
import { startScriptedUpstream, type ScriptedUpstream } from '../../fixtures/scripted-upstream.ts'

let gw: Awaited<ReturnType<typeof startGateway>>
let up: ScriptedUpstream
let admin: AdminClient
let v = 0
const routes: Record<string, string> = {}
const consumers: Record<string, string> = {}

async function w<T extends { version: number; status: number; text: string; body: any }>(p: Promise<T>): Promise<T> {
  const r = await p
  if (r.status >= 300) throw new Error(`${r.status} ${r.text}`)
  v = Math.max(v, r.version)
  return r
}
const req = (path: string, opts: { method?: string; headers?: Record<string, string> } = {}) => send(gw.proxy.url + path, opts)

async function route(name: string, config: Record<string, unknown>) {
  routes[name] = (await w(admin.post('/services/svc/routes', { name, paths: [`/${name}`] }))).body.id
  await w(admin.post(`/routes/${name}/plugins`, { name: 'proxy-cache', config: { strategy: 'memory', ...config } }))
}

beforeAll(async () => {
  up = await startScriptedUpstream()
  gw = await startGateway()
  admin = new AdminClient(gw.admin.url)
  await w(admin.post('/services', { name: 'svc', url: up.url }))
  await route('basic', {})
  await route('ttl', { cache_ttl: 1, storage_ttl: 60 })
  await route('cc', { cache_control: true })
  await route('vary', { vary_query_params: ['a'], vary_headers: ['x-lang'] })
  await route('icase', { ignore_uri_case: true })
  await route('auth', {})
  await w(admin.post('/routes/auth/plugins', { name: 'key-auth' }))
  for (const u of ['ann', 'bob']) {
    consumers[u] = (await w(admin.post('/consumers', { username: u }))).body.id
    await w(admin.post(`/consumers/${u}/key-auth`, { key: `${u}-key` }))
  }
  await route('quiet', { response_headers: { age: false, 'X-Cache-Status': false, 'X-Cache-Key': false }, request_method: ['GET', 'POST'], response_code: [200, 418] })
  await waitForVersion(gw.proxy, v)
})
afterAll(async () => {
  await gw?.stop()
  await up?.close()
})

describe('proxy-cache', () => {
  it('answers a Miss from the upstream, then a Hit from memory with Age and the same body', async () => {
    const a = await req('/basic/one')
    expect(a.status).toBe(200)
    expect(a.headers['x-cache-status']).toBe('Miss')
    const served = up.count()
    const b = await req('/basic/one')
    expect(b.headers['x-cache-status']).toBe('Hit')
    expect(b.text).toBe(a.text)
    expect(b.headers['content-type']).toBe('application/json')
    expect(b.headers['content-length']).toBe(String(a.text.length))
    expect(Number(b.headers.age)).toBeGreaterThanOrEqual(0)
    expect(b.headers['x-cache-key']).toBe(a.headers['x-cache-key'])
    expect(b.headers['x-kong-response-latency']).toBeDefined()
    expect(up.count()).toBe(served)
  })

  it("computes X-Cache-Key as Kong: sha256 of route|method|request line|sorted params|''", async () => {
    const r = await req('/basic/key?b=2&a=1')
    const want = createHash('sha256').update(`${routes.basic}|GET|GET /basic/key|a=1:b=2|`).digest('hex')
    expect(r.headers['x-cache-key']).toBe(want)
    const noQuery = await req('/basic/key')
    expect(noQuery.headers['x-cache-key']).toBe(createHash('sha256').update(`${routes.basic}|GET|GET /basic/key HTTP/1.1||`).digest('hex'))
  })

  it('bypasses methods, status codes and content types it does not cache', async () => {
    expect((await req('/basic/post', { method: 'POST' })).headers['x-cache-status']).toBe('Bypass')
    for (const path of ['/basic/s?status=500', '/basic/t?ct=text/html&body=x', '/basic/p?ct=' + encodeURIComponent('text/plain; charset=utf-8') + '&body=x']) {
      expect((await req(path)).headers['x-cache-status'], path).toBe('Bypass')
      expect((await req(path)).headers['x-cache-status'], path).toBe('Bypass')
    }
  })

  it('caches 404 and 301 by default', async () => {
    await req('/basic/nf?status=404')
    expect((await req('/basic/nf?status=404')).headers['x-cache-status']).toBe('Hit')
  })

  it('refreshes an entry older than cache_ttl while storage_ttl keeps it', async () => {
    expect((await req('/ttl/x')).headers['x-cache-status']).toBe('Miss')
    expect((await req('/ttl/x')).headers['x-cache-status']).toBe('Hit')
    await new Promise((r) => setTimeout(r, 2100))
    expect((await req('/ttl/x')).headers['x-cache-status']).toBe('Refresh')
    expect((await req('/ttl/x')).headers['x-cache-status']).toBe('Hit')
  })

  it('with cache_control: honours the response max-age, no-store and private, and the request no-cache', async () => {
    await req('/cc/a?h=cache-control:max-age=60')
    expect((await req('/cc/a?h=cache-control:max-age=60')).headers['x-cache-status']).toBe('Hit')
    expect((await req('/cc/a?h=cache-control:max-age=60', { headers: { 'cache-control': 'no-cache' } })).headers['x-cache-status']).toBe('Bypass')
    expect((await req('/cc/a?h=cache-control:max-age=60', { headers: { 'cache-control': 'max-age=0' } })).headers['x-cache-status']).toBe('Hit')
    for (const cc of ['no-store', 'private,max-age=60', 'max-age=0']) {
      await req(`/cc/b?h=cache-control:${cc}`)
      expect((await req(`/cc/b?h=cache-control:${cc}`)).headers['x-cache-status'], cc).toBe('Bypass')
    }
    // no max-age and no Expires: a TTL of 0 is not cacheable
    expect((await req('/cc/none')).headers['x-cache-status']).toBe('Bypass')
  })

  it('with cache_control: only-if-cached answers 504 on a miss', async () => {
    const r = await req('/cc/never', { headers: { 'cache-control': 'only-if-cached' } })
    expect(r.status).toBe(504)
  })

  it('varies on the listed query params and headers only', async () => {
    const k1 = (await req('/vary/x?a=1&b=1', { headers: { 'x-lang': 'en' } })).headers['x-cache-key']
    const same = await req('/vary/x?a=1&b=2', { headers: { 'x-lang': 'en', other: 'y' } })
    expect(same.headers['x-cache-key']).toBe(k1)
    expect(same.headers['x-cache-status']).toBe('Hit')
    expect((await req('/vary/x?a=2', { headers: { 'x-lang': 'en' } })).headers['x-cache-key']).not.toBe(k1)
    expect((await req('/vary/x?a=1', { headers: { 'x-lang': 'fr' } })).headers['x-cache-key']).not.toBe(k1)
  })

  it('ignores the case of the uri with ignore_uri_case, and not without it', async () => {
    await req('/icase/Path')
    const h = await req('/icase/PATH')
    expect(h.headers['x-cache-status']).toBe('Hit')
    await req('/basic/Case')
    expect((await req('/basic/CASE')).headers['x-cache-status']).toBe('Miss')
  })

  it('keeps one entry per consumer: the key starts with consumer and route ids', async () => {
    const ann = await req('/auth/x', { headers: { apikey: 'ann-key' } })
    const line = 'GET /auth/x HTTP/1.1'
    expect(ann.headers['x-cache-key']).toBe(createHash('sha256').update(`${consumers.ann}:${routes.auth}|GET|${line}||`).digest('hex'))
    expect((await req('/auth/x', { headers: { apikey: 'ann-key' } })).headers['x-cache-status']).toBe('Hit')
    expect((await req('/auth/x', { headers: { apikey: 'bob-key' } })).headers['x-cache-status']).toBe('Miss')
    // an unauthenticated request never reaches the cache: key-auth (priority 1250) answers first
    const anon = await req('/auth/x')
    expect(anon.status).toBe(401)
    expect(anon.headers['x-cache-status']).toBeUndefined()
  })

  it('hides the diagnostic headers when response_headers says so, unless Kong-Debug is sent', async () => {
    await req('/quiet/x?status=418&ct=text/plain&body=tea', { method: 'POST' })
    const hit = await req('/quiet/x?status=418&ct=text/plain&body=tea', { method: 'POST' })
    expect(hit.status).toBe(418)
    expect(hit.text).toBe('tea')
    expect(hit.headers['x-cache-status']).toBeUndefined()
    expect(hit.headers.age).toBeUndefined()
    const dbg = await req('/quiet/x?status=418&ct=text/plain&body=tea', { method: 'POST', headers: { 'kong-debug': '1' } })
    expect(dbg.headers['x-cache-status']).toBe('Hit')
    expect(dbg.headers['x-cache-key']).toMatch(/^[0-9a-f]{64}$/)
  })

  it('requires a strategy and a known dictionary', async () => {
    const r = await admin.post('/plugins', { name: 'proxy-cache', config: {} })
    expect(r.status).toBe(400)
    expect(r.body.fields.config.strategy).toBe('required field missing')
    const d = await admin.post('/plugins', { name: 'proxy-cache', config: { strategy: 'memory', memory: { dictionary_name: 'nope' } } })
    expect(d.status).toBe(400)
    expect(JSON.stringify(d.body.fields)).toContain("missing shared dict 'nope'")
  })
})
