// Admin API, upstreams and targets (Kong's 07-upstreams_routes and 08-targets_routes specs): defaults,
// validation, the hash_on/algorithm shorthands, targets by id or host:port within their upstream, 409 on a
// duplicate target, cascade delete, and /health before any proxy reported.
import { describe, expect, it } from 'vitest'
import { expectSchemaViolation, useAdmin } from '../support/admin-suite.ts'

const suite = useAdmin()
const admin = () => suite.admin

describe('upstreams', () => {
  it("creates an upstream with Kong's defaults", async () => {
    const r = await admin().post('/upstreams', { name: 'defaults.test' })
    expect(r.status).toBe(201)
    expect(r.body).toMatchObject({
      name: 'defaults.test', algorithm: 'round-robin', hash_on: 'none', hash_fallback: 'none', hash_on_cookie_path: '/',
      slots: 10000, tags: null, host_header: null, client_certificate: null, use_srv_name: false,
      hash_on_header: null, hash_fallback_header: null, hash_on_cookie: null, hash_on_query_arg: null,
    })
    const hc = r.body.healthchecks
    expect(hc.threshold).toBe(0)
    expect(hc.active).toEqual({
      type: 'http', timeout: 1, concurrency: 10, http_path: '/', https_sni: null, https_verify_certificate: true, headers: null,
      healthy: { interval: 0, http_statuses: [200, 302], successes: 0 },
      unhealthy: { interval: 0, http_statuses: [429, 404, 500, 501, 502, 503, 504, 505], tcp_failures: 0, timeouts: 0, http_failures: 0 },
    })
    expect(hc.passive.unhealthy).toEqual({ http_statuses: [429, 500, 503], tcp_failures: 0, timeouts: 0, http_failures: 0 })
    expect(hc.passive.healthy.http_statuses).toContain(308)
    expect((await admin().get('/upstreams/defaults.test')).body).toEqual(r.body)
  })

  it('refuses an IP address or a port as name', async () => {
    expectSchemaViolation(await admin().post('/upstreams', { name: '10.0.0.1' }), { name: "Invalid name ('10.0.0.1'); no ip addresses allowed" })
    expectSchemaViolation(await admin().post('/upstreams', { name: 'host.test:80' }), { name: "Invalid name ('host.test:80'); no port allowed" })
  })

  it('sets the algorithm from hash_on, and hash_on from least-connections', async () => {
    const h = await admin().post('/upstreams', { name: 'hash.test', hash_on: 'header', hash_on_header: 'x-user' })
    expect(h.body).toMatchObject({ algorithm: 'consistent-hashing', hash_on: 'header', hash_on_header: 'x-user' })
    const lc = await admin().post('/upstreams', { name: 'lc.test', algorithm: 'least-connections' })
    expect(lc.body).toMatchObject({ algorithm: 'least-connections', hash_on: 'none' })
  })

  it('requires the header when hashing on a header, and checks slots and the healthchecks record', async () => {
    expectSchemaViolation(await admin().post('/upstreams', { name: 'h1.test', hash_on: 'header' }), {
      hash_on_header: 'required field missing',
      '@entity': ["failed conditional validation given value of field 'hash_on'"],
    })
    expectSchemaViolation(await admin().post('/upstreams', { name: 'h2.test', slots: 5 }), { slots: 'value should be between 10 and 65536' })
    const r = await admin().post('/upstreams', { name: 'h3.test', healthchecks: { active: { concurrency: 0 } } })
    expect(r.status).toBe(400)
    expect(r.body.fields.healthchecks.active.concurrency).toBe('value should be between 1 and 2147483648')
  })

  it('describes both entities under /schemas and lists their endpoints', async () => {
    const u = await admin().get('/schemas/upstreams')
    expect(u.status).toBe(200)
    expect(JSON.stringify(u.body)).toContain('"algorithm"')
    expect((await admin().get('/schemas/targets')).status).toBe(200)
    const e = (await admin().get('/endpoints')).body.data
    for (const path of ['/upstreams/{parent}/health', '/upstreams/{parent}/targets/{key}/healthy', '/upstreams/{parent}/targets/{key}/{address}/unhealthy', '/targets/{key}'])
      expect(e).toContain(path)
  })

  it('merges a PATCH of healthchecks into the stored record', async () => {
    await admin().post('/upstreams', { name: 'patch.test' })
    const r = await admin().patch('/upstreams/patch.test', { healthchecks: { active: { healthy: { interval: 5 } } } })
    expect(r.status).toBe(200)
    expect(r.body.healthchecks.active.healthy).toEqual({ interval: 5, http_statuses: [200, 302], successes: 0 })
    expect(r.body.healthchecks.active.http_path).toBe('/')
  })
})

describe('targets', () => {
  it('adds port 8000 when the target has none, and defaults the weight to 100', async () => {
    await admin().post('/upstreams', { name: 't1.test' })
    const r = await admin().post('/upstreams/t1.test/targets', { target: 'example.test' })
    expect(r.status).toBe(201)
    expect(r.body).toMatchObject({ target: 'example.test:8000', weight: 100, tags: null })
    expect(r.body.upstream.id).toEqual(expect.any(String))
    const v6 = await admin().post('/upstreams/t1.test/targets', { target: '::1' })
    expect(v6.body.target).toBe('[::1]:8000')
  })

  it('validates target and weight', async () => {
    await admin().post('/upstreams', { name: 't2.test' })
    expectSchemaViolation(await admin().post('/upstreams/t2.test/targets', { target: 'bad host' }), { target: "Invalid target ('bad host'); not a valid hostname or ip address" })
    expectSchemaViolation(await admin().post('/upstreams/t2.test/targets', { target: 'ok.test', weight: 70000 }), { weight: 'value should be between 0 and 65535' })
    const zero = await admin().post('/upstreams/t2.test/targets', { target: 'zero.test', weight: 0 })
    expect(zero.status).toBe(201)
  })

  it('answers 409 for a target already in the upstream, but allows it in another upstream', async () => {
    await admin().post('/upstreams', { name: 't3.test' })
    await admin().post('/upstreams', { name: 't4.test' })
    expect((await admin().post('/upstreams/t3.test/targets', { target: 'dup.test:8080', weight: 1 })).status).toBe(201)
    expect((await admin().post('/upstreams/t3.test/targets', { target: 'dup.test:8080', weight: 100 })).status).toBe(409)
    expect((await admin().post('/upstreams/t4.test/targets', { target: 'dup.test:8080' })).status).toBe(201)
  })

  it('reads, patches and deletes a target by host:port within its upstream', async () => {
    await admin().post('/upstreams', { name: 't5.test' })
    await admin().post('/upstreams', { name: 't6.test' })
    const t = (await admin().post('/upstreams/t5.test/targets', { target: 'a.test:9000' })).body
    const other = (await admin().post('/upstreams/t6.test/targets', { target: 'a.test:9000', weight: 7 })).body
    expect((await admin().get('/upstreams/t5.test/targets/a.test:9000')).body).toEqual(t)
    expect((await admin().get(`/upstreams/t5.test/targets/${t.id}`)).body).toEqual(t)
    expect((await admin().get(`/upstreams/t5.test/targets/${other.id}`)).status).toBe(404)
    const p = await admin().patch('/upstreams/t5.test/targets/a.test:9000', { weight: 5 })
    expect(p.status).toBe(200)
    expect(p.body).toMatchObject({ id: t.id, weight: 5 })
    expect((await admin().delete('/upstreams/t5.test/targets/a.test:9000')).status).toBe(204)
    expect((await admin().get('/upstreams/t5.test/targets/a.test:9000')).status).toBe(404)
    // the other upstream's target of the same name is untouched
    expect((await admin().get('/upstreams/t6.test/targets/a.test:9000')).body.weight).toBe(7)
    expect((await admin().get(`/targets/${other.id}`)).body).toEqual(other)
  })

  it('lists targets newest first, and deleting the upstream deletes its targets', async () => {
    const u = (await admin().post('/upstreams', { name: 't7.test' })).body
    const ids: string[] = []
    for (const n of ['one', 'two', 'three']) {
      ids.push((await admin().post('/upstreams/t7.test/targets', { target: `${n}.test`, created_at: 1000 + ids.length })).body.id)
    }
    const list = await admin().get('/upstreams/t7.test/targets')
    expect(list.body.data.map((t: any) => t.target)).toEqual(['three.test:8000', 'two.test:8000', 'one.test:8000'])
    expect(list.body.next).toBe(null)
    expect((await admin().get('/upstreams/t7.test/targets/all')).body.data).toHaveLength(3)
    expect((await admin().delete(`/upstreams/${u.id}`)).status).toBe(204)
    for (const id of ids) expect((await admin().get(`/targets/${id}`)).status).toBe(404)
    expect((await admin().get('/upstreams/t7.test/targets')).status).toBe(404)
  })

  it('shows targets in /health without health while no proxy has reported, and 404s for an unknown upstream', async () => {
    await admin().post('/upstreams', { name: 't8.test' })
    await admin().post('/upstreams/t8.test/targets', { target: 'h.test' })
    const r = await admin().get('/upstreams/t8.test/health')
    expect(r.status).toBe(200)
    expect(r.body).toMatchObject({ next: null, node_id: expect.any(String) })
    expect(r.body.data.map((t: any) => t.target)).toEqual(['h.test:8000'])
    expect((await admin().get('/upstreams/nope.test/health')).status).toBe(404)
    // setting health needs health checks on the upstream, as Kong's post_health
    const off = await admin().put('/upstreams/t8.test/targets/h.test:8000/unhealthy', {})
    expect(off.status).toBe(400)
    expect(off.body).toEqual({ message: 'no healthchecker found for t8.test' })
    await admin().patch('/upstreams/t8.test', { healthchecks: { passive: { unhealthy: { tcp_failures: 1 } } } })
    expect((await admin().put('/upstreams/t8.test/targets/h.test:8000/unhealthy', {})).status).toBe(204)
    expect((await admin().put('/upstreams/t8.test/targets/h.test:8000/127.0.0.1:8000/healthy', {})).status).toBe(204)
    expect((await admin().put('/upstreams/t8.test/targets/zz.test:1/unhealthy', {})).status).toBe(404)
  })
})
