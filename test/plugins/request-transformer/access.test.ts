// request-transformer end to end against the echo upstream: headers, querystring, form/JSON/multipart
// bodies, http_method, replace.uri with regex captures, and template values.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startGateway, waitForVersion } from '../../support/processes.ts'
import { AdminClient } from '../../support/admin-client.ts'
import { send } from '../../support/http.ts'
import { startEchoUpstream, type EchoUpstream } from '../../fixtures/echo-upstream.ts'

let gw: Awaited<ReturnType<typeof startGateway>>
let up: EchoUpstream
let admin: AdminClient
let v = 0

async function w<T extends { version: number; status: number; text: string }>(p: Promise<T>): Promise<T> {
  const r = await p
  if (r.status >= 300) throw new Error(`${r.status} ${r.text}`)
  v = Math.max(v, r.version)
  return r
}
const req = (path: string, opts: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {}) => send(gw.proxy.url + path, opts)

async function route(name: string, paths: string[], config: unknown) {
  await w(admin.post('/services/svc/routes', { name, paths }))
  await w(admin.post(`/routes/${name}/plugins`, { name: 'request-transformer', config }))
}

beforeAll(async () => {
  up = await startEchoUpstream()
  gw = await startGateway()
  admin = new AdminClient(gw.admin.url)
  await w(admin.post('/services', { name: 'svc', url: up.url }))
  await route('headers', ['/headers'], {
    remove: { headers: ['x-remove'] },
    rename: { headers: ['x-old:x-new'] },
    replace: { headers: ['x-replace:replaced', 'x-absent:never'] },
    add: { headers: ['x-replace:not-added', 'x-add:$(query_params.q)', 'x-from:$(headers.x_source)'] },
    append: { headers: ['x-append:second'] },
  })
  await route('query', ['/query'], {
    remove: { querystring: ['gone'] },
    rename: { querystring: ['old:new'] },
    replace: { querystring: ['rep:replaced'] },
    add: { querystring: ['rep:nope', 'added:$(headers["x-v"] or "dflt")'] },
    append: { querystring: ['multi:b'] },
  })
  const bodyOps = {
    remove: { body: ['gone'] },
    rename: { body: ['old:new'] },
    replace: { body: ['rep:replaced'] },
    add: { body: ['rep:nope', 'added:yes'] },
    append: { body: ['multi:b'] },
  }
  await route('body', ['/body'], bodyOps)
  await route('method', ['/method'], { http_method: 'GET' })
  await route('post', ['/post'], { http_method: 'POST', add: { headers: ['Content-Type:application/json'], body: ['body:somecontent'] } })
  await route('host', ['/host'], { replace: { headers: ['host:rewritten.test'] }, add: { headers: ['host:ignored.test'] } })
  await route('captures', ['~/users/(?<id>\\d+)/(\\w+)$'], { replace: { uri: '/v2/$(uri_captures.id)/$(uri_captures[2])' } })
  await route('shared', ['/shared'], { add: { headers: ['x-ver:$(shared.none or "none")', 'x-esc:$(\'$(headers.a)\')'] } })
  await waitForVersion(gw.proxy, v)
})
afterAll(async () => {
  await gw?.stop()
  await up?.close()
})

describe('request-transformer', () => {
  it('removes, renames, replaces, adds (with templates) and appends headers', async () => {
    const r = await req('/headers?q=qv', { headers: { 'x-remove': '1', 'x-old': 'o', 'x-replace': 'r', 'x-append': 'first', 'x-source': 'src' } })
    const h = r.body.headers
    expect(h['x-remove']).toBeUndefined()
    expect(h['x-old']).toBeUndefined()
    expect(h['x-new']).toBe('o')
    expect(h['x-replace']).toBe('replaced')
    expect(h['x-absent']).toBeUndefined()
    expect(h['x-add']).toBe('qv')
    expect(h['x-from']).toBe('src')
    expect(h['x-append']).toBe('first, second')
  })

  it('answers 500 rather than send a templated header value with a line break', async () => {
    const r = await req('/headers?q=a%0D%0Ax-injected:1')
    expect(r.status).toBe(500)
    expect(r.body.message).toBe('An unexpected error occurred')
  })

  it('transforms the querystring and sorts it as Kong encodes it', async () => {
    const r = await req('/query?gone=1&old=o&rep=r&multi=a&keep=k', { headers: { 'x-v': 'hv' } })
    expect(r.body.url).toBe('/?added=hv&keep=k&multi=a&multi=b&new=o&rep=replaced')
    const d = await req('/query')
    expect(d.body.url).toBe('/?added=dflt&multi=b&rep=nope')
  })

  it('transforms a form-urlencoded body', async () => {
    const r = await req('/body', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'gone=1&old=o&rep=r&multi=a' })
    const sorted = (s: string) => [...new URLSearchParams(s)].map(([k, x]) => `${k}=${x}`).sort()
    expect(sorted(r.body.body)).toEqual(sorted('new=o&rep=replaced&multi=a&multi=b&added=yes'))
    expect(r.body.headers['content-length']).toBe(String(Buffer.byteLength(r.body.body)))
  })

  it('transforms a JSON body', async () => {
    const r = await req('/body', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ gone: 1, old: 'o', rep: 'r', multi: 'a' }) })
    expect(JSON.parse(r.body.body)).toEqual({ new: 'o', rep: 'replaced', multi: ['a', 'b'], added: 'yes' })
  })

  it('adds to an empty JSON body, and leaves invalid JSON alone', async () => {
    const e = await req('/body', { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': '0' } })
    expect(JSON.parse(e.body.body)).toEqual({ rep: 'nope', added: 'yes', multi: ['b'] })
    const bad = await req('/body', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{nope' })
    expect(bad.body.body).toBe('{nope')
  })

  it('transforms a multipart body (append does not apply, as in Kong)', async () => {
    const form = new FormData()
    form.set('gone', '1')
    form.set('old', 'o')
    form.set('rep', 'r')
    form.set('file', new Blob(['file-bytes'], { type: 'text/plain' }), 'a.txt')
    const enc = new Response(form)
    const r = await req('/body', { method: 'POST', headers: { 'content-type': enc.headers.get('content-type')! }, body: Buffer.from(await enc.arrayBuffer()) })
    const got = await new Response(r.body.body, { headers: { 'content-type': r.body.headers['content-type'] } }).formData()
    expect(got.get('gone')).toBeNull()
    expect(got.get('new')).toBe('o')
    expect(got.get('rep')).toBe('replaced')
    expect(got.get('added')).toBe('yes')
    expect(got.get('multi')).toBeNull()
    expect(await (got.get('file') as File).text()).toBe('file-bytes')
  })

  it('changes the method, moving a form body into the querystring for GET', async () => {
    const r = await req('/method?a=1', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=2&b=3' })
    expect(r.body.method).toBe('GET')
    expect(r.body.url).toBe('/?a=1&a=2&b=3')
  })

  it("changes GET to POST with a JSON body added (Kong's route20 case)", async () => {
    const r = await req('/post', { headers: { 'content-type': 'application/json' } })
    expect(r.body.method).toBe('POST')
    expect(JSON.parse(r.body.body)).toEqual({ body: 'somecontent' })
    expect(r.body.headers['content-type']).toBe('application/json')
  })

  it('replaces the upstream Host header; add never touches host', async () => {
    const r = await req('/host')
    expect(r.body.headers.host).toBe('rewritten.test')
  })

  it('replaces the upstream uri from named and numbered regex captures', async () => {
    const r = await req('/users/42/posts?x=1')
    expect(r.body.path).toBe('/v2/42/posts')
    expect(r.body.url).toBe('/v2/42/posts?x=1')
  })

  it('renders missing shared values with a default, and a quoted template literally', async () => {
    const r = await req('/shared')
    expect(r.body.headers['x-ver']).toBe('none')
    expect(r.body.headers['x-esc']).toBe('$(headers.a)')
  })

  it('refuses a template that would run code with a 400', async () => {
    const r = await admin.post('/plugins', { name: 'request-transformer', config: { add: { headers: ['x:$(os.execute("id"))'] } } })
    expect(r.status).toBe(400)
    expect(r.body.fields.config.add.headers[0]).toMatch(/is not in supported format/)
  })

  it('has Kong defaults and priority 801', async () => {
    const r = await admin.post('/plugins', { name: 'request-transformer', route: { id: (await admin.get('/routes/method')).body.id } })
    expect(r.status).toBe(409) // one instance per route
    const root = await admin.get('/')
    expect(root.body.plugins.available_on_server['request-transformer'].priority).toBe(801)
    const s = await admin.get('/plugins?size=100')
    const m = s.body.data.find((p: any) => p.name === 'request-transformer' && p.config.http_method === 'GET')
    expect(m.config.replace).toEqual({ body: [], headers: [], querystring: [], uri: null })
  })
})
