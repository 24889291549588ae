// The RFC 7662 call: form-encoded POST, the gateway's credentials, transport errors as values.
import { describe, expect, it } from 'vitest'
import { basicCredentials, introspect, introspectionBody } from './client.ts'
import type { PdkHttp } from '../../pdk/index.ts'

describe('introspection client', () => {
  it('form-encodes the token and the type hint', () => {
    expect(introspectionBody('a+b/c=d&e')).toBe('token=a%2Bb%2Fc%3Dd%26e')
    expect(introspectionBody('t', 'access_token')).toBe('token=t&token_type_hint=access_token')
  })

  it('builds Basic credentials raw or form-encoded', () => {
    expect(basicCredentials('api-gateway-client', 'Password1')).toBe('Basic ' + Buffer.from('api-gateway-client:Password1').toString('base64'))
    expect(basicCredentials('a b', 'c:d', true)).toBe('Basic ' + Buffer.from('a+b:c%3Ad').toString('base64'))
  })

  it('posts with the given accept and authorization and returns the response', async () => {
    let seen: any
    const http: PdkHttp = { request: async (url, opts) => ((seen = { url, ...opts }), { status: 200, headers: {}, body: Buffer.from('ey.x.y') }) }
    const r = await introspect(http, { url: 'http://idp/introspect', token: 'abc', accept: 'application/jwt', authorization: 'Basic x', timeoutMs: 500 })
    expect(r).toMatchObject({ kind: 'response', status: 200 })
    expect(seen).toMatchObject({ url: 'http://idp/introspect', method: 'POST', body: 'token=abc', timeoutMs: 500 })
    expect(seen.headers).toMatchObject({ accept: 'application/jwt', authorization: 'Basic x', 'content-type': 'application/x-www-form-urlencoded' })
  })

  it('reports a transport failure as a value', async () => {
    const http: PdkHttp = { request: async () => Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })) }
    const r = await introspect(http, { url: 'http://idp', token: 't', accept: 'application/json', authorization: 'x', timeoutMs: 10 })
    expect(r).toEqual({ kind: 'transport', error: 'ECONNREFUSED: connect ECONNREFUSED' })
  })
})
