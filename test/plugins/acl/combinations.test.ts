// acl after every auth plugin (Kong runs acl at priority 950, after them all): basic-auth, key-auth, jwt,
// oauth2 and hmac-auth identify the consumer whose groups decide; anonymous fallbacks in a logical OR chain.
import { createHmac } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startAclHarness, type AclHarness } from './harness.ts'

const FORBIDDEN = 'You cannot consume this service'
let h: AclHarness
const basic = (user: string, pw: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${pw}`).toString('base64')}` })
const b64url = (s: string) => Buffer.from(s).toString('base64url')

function jwt(key: string, secret: string): Record<string, string> {
  const input = `${b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))}.${b64url(JSON.stringify({ iss: key }))}`
  return { authorization: `Bearer ${input}.${createHmac('sha256', secret).update(input).digest('base64url')}` }
}

function hmac(path: string, user: string, secret: string): Record<string, string> {
  const date = new Date().toUTCString()
  const sig = createHmac('sha256', secret).update(`date: ${date}\nGET ${path} HTTP/1.1`).digest('base64')
  return { date, authorization: `hmac username="${user}", algorithm="hmac-sha256", headers="date request-line", signature="${sig}"` }
}

async function token(service: string, clientId: string): Promise<Record<string, string>> {
  const body = new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: `${clientId}-secret` }).toString()
  // plain HTTP from a trusted address with X-Forwarded-Proto: https counts as TLS terminated in front
  const r = await h.get(`/${service}/oauth2/token`, { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-proto': 'https' }, { method: 'POST', body })
  if (r.status !== 200) throw new Error(r.text)
  return { authorization: `Bearer ${r.body.access_token}` }
}

const acl = { name: 'acl', config: { allow: ['admin'] } }

beforeAll(async () => {
  h = await startAclHarness()
  for (const [name, groups] of [['admin', ['admin']], ['dev', ['dev']]] as const) {
    await h.write('POST', '/consumers', { username: name })
    for (const g of groups) await h.write('POST', `/consumers/${name}/acls`, { group: g })
    await h.write('POST', `/consumers/${name}/basic-auth`, { username: name, password: `${name}-pw` })
    await h.write('POST', `/consumers/${name}/key-auth`, { key: `${name}-key` })
    await h.write('POST', `/consumers/${name}/jwt`, { key: `${name}-iss`, secret: `${name}-jwt-secret` })
    await h.write('POST', `/consumers/${name}/hmac-auth`, { username: name, secret: `${name}-hmac` })
    await h.write('POST', `/consumers/${name}/oauth2`, { name, client_id: name, client_secret: `${name}-secret`, redirect_uris: ['http://app.test/'] })
  }
  await h.write('POST', '/consumers', { username: 'guest' })
  await h.write('POST', '/consumers/guest/acls', { group: 'guests' })
  await h.api('basic', [{ name: 'basic-auth' }, acl])
  await h.api('key', [{ name: 'key-auth' }, acl])
  await h.api('jwt', [{ name: 'jwt' }, acl])
  await h.api('hmac', [{ name: 'hmac-auth' }, acl])
  await h.api('oauth', [{ name: 'oauth2', config: { enable_client_credentials: true, accept_http_if_already_terminated: true } }, acl])
  // logical OR: either key-auth or basic-auth, else the guest consumer
  await h.api('either', [
    { name: 'key-auth', config: { anonymous: 'guest' } },
    { name: 'basic-auth', config: { anonymous: 'guest' } },
    { name: 'acl', config: { allow: ['admin', 'guests'] } },
  ])
})
afterAll(() => h?.stop())

describe('acl after each auth plugin', () => {
  const cases: Array<[string, (user: string) => Promise<Record<string, string>> | Record<string, string>]> = [
    ['basic', (u) => basic(u, `${u}-pw`)],
    ['key', (u) => ({ apikey: `${u}-key` })],
    ['jwt', (u) => jwt(`${u}-iss`, `${u}-jwt-secret`)],
    ['hmac', (u) => hmac('/hmac', u, `${u}-hmac`)],
    ['oauth', (u) => token('oauth', u)],
  ]
  for (const [route, creds] of cases) {
    it(`${route}: passes an allowed consumer with its groups and answers 403 to another`, async () => {
      const ok = await h.get(`/${route}`, await creds('admin'))
      expect(ok.status, ok.text).toBe(200)
      expect(ok.body.headers['x-consumer-username']).toBe('admin')
      expect(ok.body.headers['x-consumer-groups']).toBe('admin')
      const no = await h.get(`/${route}`, await creds('dev'))
      expect(no.status).toBe(403)
      expect(no.body.message).toBe(FORBIDDEN)
    })
  }
})

describe('acl after anonymous fallbacks', () => {
  it('decides on whichever plugin identified the consumer, or on the guest consumer', async () => {
    const k = await h.get('/either', { apikey: 'admin-key' })
    expect(k.status).toBe(200)
    expect(k.body.headers['x-consumer-groups']).toBe('admin')
    const b = await h.get('/either', basic('admin', 'admin-pw'))
    expect(b.status).toBe(200)
    expect(b.body.headers['x-consumer-username']).toBe('admin')
    const g = await h.get('/either')
    expect(g.status).toBe(200)
    expect(g.body.headers['x-consumer-groups']).toBe('guests')
    expect(g.body.headers['x-anonymous-consumer']).toBe('true')
    expect((await h.get('/either', { apikey: 'dev-key' })).status).toBe(403)
  })
})
