// oauth2 tokens past their row TTL (refresh_token_ttl, where Kong's database deletes them) are gone from the
// admin API at that moment — GET, PATCH and listings — not only after the next purge pass.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { callTerminated, eventually, oauthApi, startOAuthGateway, type OAuthGateway } from './gateway.ts'

let gw: OAuthGateway

beforeAll(async () => {
  gw = await startOAuthGateway()
  // tokens valid 1 s whose rows live 2 s: the purge pass (every minute) cannot be what hides them
  await oauthApi(gw, 'ttl', { enable_client_credentials: true, accept_http_if_already_terminated: true, token_expiration: 1, refresh_token_ttl: 2 }, { client_id: 'ttl-client', client_secret: 'ttl-secret' })
})
afterAll(() => gw?.stop())

describe('expired oauth2 tokens in the admin API', () => {
  it('are gone from GET /oauth2_tokens/{id}, by access_token and from listings at their TTL', async () => {
    const minted = await callTerminated(gw.proxies[0].url, '/ttl/oauth2/token', { json: { grant_type: 'client_credentials', client_id: 'ttl-client', client_secret: 'ttl-secret' } })
    expect(minted.status).toBe(200)
    const access = minted.body.access_token as string
    const row = await gw.api.get(`/oauth2_tokens/${access}`)
    expect(row.status).toBe(200)
    const id = row.body.id as string
    expect((await gw.api.get('/oauth2_tokens')).body.data.map((t: any) => t.id)).toContain(id)
    await eventually(async () => (await gw.api.get(`/oauth2_tokens/${id}`)).status === 404, 10_000)
    expect((await gw.api.get(`/oauth2_tokens/${access}`)).status).toBe(404)
    expect((await gw.api.get('/oauth2_tokens')).body.data.map((t: any) => t.id)).not.toContain(id)
    expect((await gw.api.patch(`/oauth2_tokens/${id}`, { scope: 'x' })).status).toBe(404)
    // and its access token is free again: a PUT creates a new token rather than conflicting with the dead row
    const credential = (await gw.api.get('/oauth2/ttl-client')).body.id
    const put = await gw.api.put(`/oauth2_tokens/${access}`, { credential: { id: credential }, expires_in: 60 })
    expect(put.status).toBe(200)
    expect(put.body.id).not.toBe(id)
    expect((await gw.api.get(`/oauth2_tokens/${access}`)).body.id).toBe(put.body.id)
  })
})
