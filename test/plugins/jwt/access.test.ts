// jwt access: every row of the spec's failure table (message, status, WWW-Authenticate), where tokens are
// found, the upstream identity headers, the token left in place, and the opt-in extensions.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { encodeSegment as seg, sharedKeyPair, signToken, withSegment } from '../../../packages/shared/src/plugins/jwt/testing.ts'
import { startJwtHarness, type JwtHarness } from './harness.ts'
import { send } from '../../support/http.ts'

let h: JwtHarness
let alice: any
const now = () => Math.floor(Date.now() / 1000)
const hs = (claims: Record<string, unknown>, opts: { secret?: string | Buffer; alg?: string; header?: Record<string, unknown> } = {}) =>
  signToken(opts.alg ?? 'HS256', claims, opts.secret ?? 'alice-secret', opts.header)
const ALICE = { iss: 'alice-key' }
const bearer = (t: string) => ({ authorization: `Bearer ${t}` })
const ERROR_CHALLENGE = 'Bearer error="invalid_token"'

async function denied(path: string, headers: Record<string, string>, body: unknown, challenge = ERROR_CHALLENGE) {
  const r = await h.get(path, headers)
  expect(r.status).toBe(401)
  expect(r.body).toEqual(body)
  expect(r.headers['www-authenticate']).toBe(challenge)
  expect(r.headers['content-type']).toBe('application/json; charset=utf-8')
  return r
}

beforeAll(async () => {
  h = await startJwtHarness()
  const route = async (name: string, config: Record<string, unknown> = {}) => {
    await h.w(h.admin.post('/services/svc/routes', { name, paths: [`/${name}`] }))
    await h.w(h.admin.post(`/routes/${name}/plugins`, { name: 'jwt', config }))
  }
  await h.w(h.admin.post('/services', { name: 'svc', url: h.upstream.url }))
  await route('default')
  await route('realm', { realm: 'postern' })
  await route('claims', { claims_to_verify: ['exp', 'nbf'] })
  await route('maxexp', { claims_to_verify: ['exp'], maximum_expiration: 60 })
  await route('b64', { secret_is_base64: true })
  await route('preflight', { run_on_preflight: false })
  await route('sources', { cookie_names: ['session'], header_names: ['X-Jwt'], uri_param_names: ['token'] })
  await route('hidden', { cookie_names: ['session'], hide_credentials: true })
  await route('audclaim', { key_claim_name: 'aud' })
  await route('strict', { claims_to_verify: ['exp'], clock_skew: 30, issuers: ['alice-key'], audiences: ['orders'] })
  alice = (await h.w(h.admin.post('/consumers', { username: 'alice', custom_id: 'a-1' }))).body
  await h.w(h.admin.post('/consumers/alice/jwt', { key: 'alice-key', secret: 'alice-secret' }))
  await h.w(h.admin.post('/consumers/alice/jwt', { key: 'alice-b64', secret: Buffer.from('raw-secret').toString('base64') }))
  await h.w(h.admin.post('/consumers/alice/jwt', { key: 'alice-not-b64', secret: 'not base64!' }))
  await h.w(h.admin.post('/consumers/alice/jwt', { key: 'alice-rs', algorithm: 'RS256', rsa_public_key: sharedKeyPair('RS256').publicPem }))
  await h.sync()
})
afterAll(() => h?.stop())

describe('jwt failure table', () => {
  it('answers 401 Unauthorized with the base challenge when no token is found', async () => {
    await denied('/default', {}, { message: 'Unauthorized' }, 'Bearer')
    await denied('/default', { authorization: 'Basic abc' }, { message: 'Unauthorized' }, 'Bearer')
  })

  it('puts the realm in both challenges, comma-separated as Kong master', async () => {
    await denied('/realm', {}, { message: 'Unauthorized' }, 'Bearer realm="postern"')
    await denied('/realm', bearer('x'), { message: 'Bad token; invalid JSON' }, 'Bearer realm="postern", error="invalid_token"')
  })

  it('answers Multiple tokens provided for different tokens in the query and the header', async () => {
    await denied(`/default?jwt=${hs(ALICE)}`, bearer(hs({ ...ALICE, n: 1 })), { message: 'Multiple tokens provided' })
  })

  it('accepts the same token in the query and the header', async () => {
    const t = hs(ALICE)
    expect((await h.get(`/default?jwt=${t}`, bearer(t))).status).toBe(200)
  })

  it('answers Unrecognizable token for a bare ?jwt flag', async () => {
    await denied('/default?jwt', {}, { message: 'Unrecognizable token' })
  })

  it('answers Bad token; invalid JSON for a token that does not decode', async () => {
    await denied('/default', bearer('abc'), { message: 'Bad token; invalid JSON' })
    await denied('/default', bearer(withSegment(hs(ALICE), 1, 'a+b')), { message: 'Bad token; invalid JSON' })
  })

  it('answers Bad token; invalid alg for alg none or an unsupported alg', async () => {
    await denied('/default', bearer(withSegment(hs(ALICE), 0, seg({ alg: 'none', typ: 'JWT' }))), { message: 'Bad token; invalid alg' })
    await denied('/default', bearer(`${seg({ alg: 'none' })}.${seg(ALICE)}.`), { message: 'Bad token; invalid alg' })
    await denied('/default', bearer(withSegment(hs(ALICE), 0, seg({ alg: 'HS1' }))), { message: 'Bad token; invalid alg' })
  })

  it('answers Bad token; invalid signature when the signature is not base64url', async () => {
    await denied('/default', bearer(withSegment(hs(ALICE), 2, 'a+b/')), { message: 'Bad token; invalid signature' })
  })

  it("answers No mandatory 'iss' in claims and Invalid 'iss' in claims", async () => {
    await denied('/default', bearer(hs({ sub: 'x' })), { message: "No mandatory 'iss' in claims" })
    await denied('/default', bearer(hs({ iss: '' })), { message: "Invalid 'iss' in claims" })
  })

  it('answers Invalid for a non-string key claim, where Kong answers 500', async () => {
    await denied('/audclaim', bearer(hs({ aud: ['alice-key'] })), { message: "Invalid 'aud' in claims" })
  })

  it('reads the key claim from the JOSE header when the payload lacks it', async () => {
    expect((await h.get('/default', bearer(hs({ sub: 'x' }, { header: { iss: 'alice-key' } })))).status).toBe(200)
  })

  it("answers No credentials found for given 'iss' for an unknown key, matched case-sensitively", async () => {
    await denied('/default', bearer(hs({ iss: 'ALICE-KEY' })), { message: "No credentials found for given 'iss'" })
  })

  it('answers Invalid algorithm when the token alg differs from the credential', async () => {
    await denied('/default', bearer(hs(ALICE, { alg: 'HS512' })), { message: 'Invalid algorithm' })
    await denied('/default', bearer(hs({ iss: 'alice-rs' })), { message: 'Invalid algorithm' })
  })

  it('answers Invalid key/secret for a secret that is not base64 when secret_is_base64 is on', async () => {
    await denied('/b64', bearer(hs({ iss: 'alice-not-b64' })), { message: 'Invalid key/secret' })
    expect((await h.get('/b64', bearer(hs({ iss: 'alice-b64' }, { secret: 'raw-secret' })))).status).toBe(200)
  })

  it('answers Invalid signature for a wrong secret, a changed payload or an empty signature', async () => {
    await denied('/default', bearer(hs(ALICE, { secret: 'wrong' })), { message: 'Invalid signature' })
    await denied('/default', bearer(withSegment(hs(ALICE), 1, seg({ ...ALICE, admin: true }))), { message: 'Invalid signature' })
    await denied('/default', bearer(withSegment(hs(ALICE), 2, '')), { message: 'Invalid signature' })
  })

  it('answers claim errors keyed by claim, without a message', async () => {
    await denied('/claims', bearer(hs({ ...ALICE, exp: now() - 1, nbf: now() - 10 })), { exp: 'token expired' })
    await denied('/claims', bearer(hs({ ...ALICE, exp: now() + 60, nbf: now() + 60 })), { nbf: 'token not valid yet' })
    await denied('/claims', bearer(hs(ALICE)), { exp: 'must be a number', nbf: 'must be a number' })
    expect((await h.get('/claims', bearer(hs({ ...ALICE, exp: now() + 60, nbf: now() })))).status).toBe(200)
  })

  it('answers exceeds maximum allowed expiration for a token living too long', async () => {
    await denied('/maxexp', bearer(hs({ ...ALICE, exp: now() + 3600 })), { exp: 'exceeds maximum allowed expiration' })
    expect((await h.get('/maxexp', bearer(hs({ ...ALICE, exp: now() + 30 })))).status).toBe(200)
  })
})

describe('jwt on success', () => {
  it('sets the consumer headers, overwriting spoofed ones, with the credential key as identifier', async () => {
    const t = hs(ALICE)
    const r = await h.get('/default', { ...bearer(t), 'x-consumer-username': 'mallory', 'x-anonymous-consumer': 'true', 'x-credential-identifier': 'forged' })
    expect(r.status).toBe(200)
    const seen = h.upstreamHeaders(r)
    expect(seen['x-consumer-id']).toBe(alice.id)
    expect(seen['x-consumer-custom-id']).toBe('a-1')
    expect(seen['x-consumer-username']).toBe('alice')
    expect(seen['x-credential-identifier']).toBe('alice-key')
    expect(seen['x-anonymous-consumer']).toBeUndefined()
    expect(seen.authorization).toBe(`Bearer ${t}`)
  })

  it('leaves the token in the query and the cookie by default', async () => {
    const t = hs(ALICE)
    const r = await h.get(`/sources?token=${t}&x=1`, { cookie: `a=1` })
    expect(r.status).toBe(200)
    expect(r.body.url).toBe(`/?token=${t}&x=1`)
    const c = await h.get('/sources', { cookie: `a=1; session=${t}` })
    expect(c.status).toBe(200)
    expect(h.upstreamHeaders(c).cookie).toBe(`a=1; session=${t}`)
  })

  it('finds tokens in configured cookies and headers and ignores the default ones when renamed', async () => {
    const t = hs(ALICE)
    expect((await h.get('/sources', { 'x-jwt': `Bearer ${t}` })).status).toBe(200)
    expect((await h.get(`/sources?jwt=${t}`)).status).toBe(401)
    expect((await h.get('/sources', bearer(t))).status).toBe(401)
  })

  it('reads the first occurrence of a repeated token header, as Kong (Authorization and a custom header)', async () => {
    const t = hs(ALICE)
    const twice = (name: string) => send(h.proxyUrl + (name === 'x-jwt' ? '/sources' : '/default'), { headers: { [name]: [`Bearer ${t}`, 'Bearer other-token'] } })
    expect((await twice('authorization')).status).toBe(200)
    expect((await twice('x-jwt')).status).toBe(200)
    // and the first one decides: a bad first token is refused even when a good one follows
    const bad = await send(h.proxyUrl + '/sources', { headers: { 'x-jwt': ['Bearer other-token', `Bearer ${t}`] } })
    expect(bad.status).toBe(401)
  })

  it('strips the token from header, query and cookie with hide_credentials', async () => {
    const t = hs(ALICE)
    const r = await h.get(`/hidden?jwt=${t}&keep=1`, { ...bearer(t), cookie: `a=1; session=${t}` })
    expect(r.status).toBe(200)
    expect(r.body.url).toBe('/?keep=1')
    const seen = h.upstreamHeaders(r)
    expect(seen.authorization).toBeUndefined()
    expect(seen.cookie).toBe('a=1')
  })

  it('lets OPTIONS through untouched when run_on_preflight is false', async () => {
    expect((await h.get('/preflight', {}, 'OPTIONS')).status).toBe(200)
    expect((await h.get('/preflight')).status).toBe(401)
    expect((await h.get('/default', {}, 'OPTIONS')).status).toBe(401)
  })

  it('applies clock_skew, required issuers and required audiences when configured', async () => {
    expect((await h.get('/strict', bearer(hs({ ...ALICE, aud: 'orders', exp: now() - 10 })))).status).toBe(200)
    await denied('/strict', bearer(hs({ ...ALICE, aud: 'orders', exp: now() - 31 })), { exp: 'token expired' })
    await denied('/strict', bearer(hs({ ...ALICE, aud: ['billing'], exp: now() + 60 })), { aud: 'audience not allowed' })
  })

  it('keeps answering from the verified-token cache with claims rechecked on every request', async () => {
    const exp = now() + 1
    const t = hs({ ...ALICE, exp, nbf: now() - 1 })
    expect((await h.get('/claims', bearer(t))).status).toBe(200)
    expect((await h.get('/claims', bearer(t))).status).toBe(200)
    await new Promise((r) => setTimeout(r, exp * 1000 - Date.now() + 20))
    await denied('/claims', bearer(t), { exp: 'token expired' })
  })
})
