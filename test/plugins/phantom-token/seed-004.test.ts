// Seed 004, Curity's NGINX phantom token module tutorial, on Postern: location /api with the introspection
// client credential and `phantom_token_scopes read` becomes a phantom-token plugin on an /api route.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { clientCredentialsToken, startWorld, type World } from './harness.ts'

let w: World

beforeAll(async () => {
  w = await startWorld()
  // proxy_pass http://${API_HOST}:${API_PORT}/api; phantom_token_client_credential api-gateway-client Password1
  await w.expose('/api', 'phantom-token', { introspection_endpoint: w.idp.urls.introspect, client_id: 'api-gateway-client', client_secret: 'Password1', scope: 'read' })
})
afterAll(async () => {
  await w?.stop()
})

describe('seed 004: phantom token module tutorial', () => {
  it('fails OAuth validation for a token that is not real', async () => {
    const res = await fetch(`${w.proxy}/api/data`, { headers: { authorization: 'Bearer abc123' } })
    expect(res.status).toBe(401)
    expect(res.headers.get('content-type')).toBe('application/json')
    expect(w.idp.last.introspect!.body).toBe('token=abc123')
  })

  it('introspects a client-credentials token and forwards the JWT to /api/data', async () => {
    const token = await clientCredentialsToken(w.idp)
    const res = await fetch(`${w.proxy}/api/data`, { headers: { authorization: `Bearer ${token}` } })
    expect(res.status).toBe(200)
    const echoed = (await res.json()) as { path: string; headers: Record<string, string> }
    expect(echoed.path).toBe('/api/data')
    expect(await w.idp.verify(echoed.headers.authorization.slice('Bearer '.length))).toMatchObject({ scope: 'read' })
  })

  it('sends the introspection request the module documents: POST, Basic client credential, accept application/jwt', async () => {
    const token = await clientCredentialsToken(w.idp)
    await fetch(`${w.proxy}/api/data`, { headers: { authorization: `Bearer ${token}`, accept: 'text/html', 'x-custom': 'kept' } })
    const call = w.idp.last.introspect!
    expect(call.method).toBe('POST')
    expect(call.headers.authorization).toBe('Basic ' + Buffer.from('api-gateway-client:Password1').toString('base64'))
    expect(call.headers.accept).toBe('application/jwt')
    expect(call.headers['content-type']).toBe('application/x-www-form-urlencoded')
    // none of the client's headers reach the IdP (module issues #23, #48, #51)
    expect(call.headers['x-custom']).toBeUndefined()
  })

  it("leaves the client's other headers for the API unchanged (module issues #78-#80)", async () => {
    const token = await clientCredentialsToken(w.idp)
    const custom: Record<string, string> = {}
    for (let i = 0; i < 30; i++) custom[`x-header-${i}`] = `value-${i}`
    const res = await fetch(`${w.proxy}/api/data`, { headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...custom } })
    const echoed = (await res.json()) as { headers: Record<string, string> }
    expect(echoed.headers).toMatchObject({ ...custom, accept: 'application/json' })
  })
})
