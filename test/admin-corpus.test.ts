// The admin bad-input corpus (test/corpus/): every broken request gets a 4xx Kong-shaped JSON error, never
// a 5xx, and leaves the configuration exactly as it was (full dump of every collection and the version).
import { beforeAll, describe, expect, it } from 'vitest'
import { BAD_REQUESTS, CORPUS_BASELINE } from './corpus/admin-bad-requests.ts'
import { dumpAll, rawRequest, useAdmin } from './support/admin-suite.ts'

const suite = useAdmin()
let baseline: Awaited<ReturnType<typeof dumpAll>>
let serviceId = ''

/** The names Kong gives its DAO error codes (errors.lua). */
const CODE_NAMES: Record<number, string> = {
  1: 'invalid primary key', 2: 'schema violation', 3: 'primary key violation', 4: 'foreign key violation',
  5: 'unique constraint violation', 6: 'not found', 7: 'invalid offset', 9: 'invalid size', 11: 'invalid options', 13: 'foreign keys unresolved',
}

beforeAll(async () => {
  const { admin } = suite
  const b = CORPUS_BASELINE
  const s = await admin.post('/services', b.service)
  serviceId = s.body.id
  const writes = [
    s,
    await admin.post(`/services/${serviceId}/routes`, b.route),
    await admin.post('/consumers', b.consumer),
    await admin.post(`/consumers/${b.consumer.username}/key-auth`, b.keyAuth),
    await admin.post(`/routes/${b.route.name}/plugins`, b.plugin),
  ]
  for (const w of writes) expect(w.status, w.text).toBe(201)
  baseline = await dumpAll(admin)
})

describe('admin bad-input corpus', () => {
  it('holds at least 50 distinct requests', () => {
    expect(BAD_REQUESTS.length).toBeGreaterThanOrEqual(50)
    expect(new Set(BAD_REQUESTS.map((c) => c.name)).size).toBe(BAD_REQUESTS.length)
  })

  it.each(BAD_REQUESTS.map((c) => [c.name, c] as const))('refuses %s with a Kong-shaped 4xx and changes nothing', async (_, c) => {
    const fill = (s: string) => s.replaceAll('$SERVICE_ID', serviceId)
    const body = typeof c.body === 'function' ? c.body() : typeof c.body === 'string' ? fill(c.body) : c.body
    const r = await rawRequest(suite.proc.url, c.method, fill(c.path), c.headers, body)
    expect(r.status, r.text).toBe(c.status)
    expect(r.body, r.text).toEqual(expect.objectContaining({ message: expect.any(String) }))
    if (c.code !== undefined) {
      expect(r.body.code, r.text).toBe(c.code)
      expect(r.body.name).toBe(CODE_NAMES[c.code])
    }
    if (r.body.code === 2) expect(r.body.fields, r.text).toEqual(expect.any(Object))
    expect(await dumpAll(suite.admin)).toEqual(baseline)
  })
})
