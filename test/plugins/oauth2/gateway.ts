// Shared setup of the oauth2 black-box tests: an admin, proxies sharing the admin's database as their token
// store (TLS listener, 127.0.0.1 trusted), an echo upstream, and request helpers.
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { startAdmin, startProxy, waitForVersion, type AdminProc, type ProxyProc } from '../../support/processes.ts'
import { AdminClient } from '../../support/admin-client.ts'
import { send, type RawResponse } from '../../support/http.ts'
import { startEchoUpstream, type EchoUpstream } from '../../fixtures/echo-upstream.ts'

export interface OAuthGateway {
  admin: AdminProc
  api: AdminClient
  proxies: ProxyProc[]
  upstream: EchoUpstream
  storePath: string
  /** Config version of the latest write made through `write()`. */
  lastVersion: number
  /** Start one more proxy on the same store. */
  addProxy(): Promise<ProxyProc>
  /** Wait until every proxy applied `version` (the X-Postern-Config-Version of an admin write). */
  sync(version: number): Promise<void>
  stop(): Promise<void>
}

export async function startOAuthGateway(proxyCount = 1): Promise<OAuthGateway> {
  const upstream = await startEchoUpstream()
  const admin = await startAdmin()
  const storePath = join(admin.prefix, 'postern.db')
  const env = { POSTERN_STORE_PATH: storePath, KONG_TRUSTED_IPS: '127.0.0.1', KONG_PROXY_LISTEN: '127.0.0.1:0, 127.0.0.1:0 ssl' }
  const addProxy = async () => {
    const p = await startProxy({ clusterPort: admin.clusterPort, env })
    gw.proxies.push(p)
    return p
  }
  const gw: OAuthGateway = {
    admin,
    api: new AdminClient(admin.url),
    proxies: [],
    upstream,
    storePath,
    lastVersion: 0,
    addProxy,
    async sync(version) {
      if (!Number.isFinite(version)) throw new Error('admin write returned no config version')
      await Promise.all(gw.proxies.map((p) => waitForVersion(p, version))).catch((e) => {
        throw new Error(`${e.message}\n${gw.proxies.map((p) => p.output()).join('\n')}`)
      })
    },
    async stop() {
      await Promise.all([...gw.proxies.map((p) => p.stop()), admin.stop()])
      for (const p of [admin, ...gw.proxies]) rmSync(p.prefix, { recursive: true, force: true })
      await upstream.close()
    },
  }
  await Promise.all(Array.from({ length: proxyCount }, addProxy))
  return gw
}

export interface CallOptions {
  method?: string
  form?: Record<string, string>
  json?: unknown
  /** An already encoded body (multipart, malformed input). */
  raw?: string | Buffer
  headers?: Record<string, string | string[]>
}

/** One request to a proxy (plain or TLS base URL). Headers are sent as given (no implicit Authorization). */
export function call(base: string, path: string, opts: CallOptions = {}): Promise<RawResponse> {
  const headers: Record<string, string | string[]> = { ...opts.headers }
  let body: string | Buffer | undefined = opts.raw
  if (opts.form) {
    headers['content-type'] ??= 'application/x-www-form-urlencoded'
    body = new URLSearchParams(opts.form).toString()
  } else if (opts.json !== undefined) {
    headers['content-type'] ??= 'application/json'
    body = JSON.stringify(opts.json)
  }
  if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body))
  return send(base + path, { method: opts.method ?? (body === undefined ? 'GET' : 'POST'), headers, body })
}

/** Plain-HTTP call that the proxy treats as TLS-terminated in front (trusted 127.0.0.1 + X-Forwarded-Proto). */
export function callTerminated(base: string, path: string, opts: CallOptions = {}): Promise<RawResponse> {
  return call(base, path, { ...opts, headers: { 'x-forwarded-proto': 'https', ...opts.headers } })
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

/** Poll `fn` until it returns true (for effects bounded by the token cache or config propagation). */
export async function eventually(fn: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs
  while (!(await fn())) {
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

/** Create (or fail loudly) through the admin API, returning the body and waiting for every proxy. */
export async function write(gw: OAuthGateway, method: 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, json?: unknown): Promise<any> {
  const r = await gw.api.request(method, path, json === undefined ? {} : { json })
  if (r.status >= 300) throw new Error(`${method} ${path} failed: ${r.status} ${r.text}`)
  gw.lastVersion = Math.max(gw.lastVersion, r.version)
  await gw.sync(r.version)
  return r.body
}

/** A service + route (`paths`) + oauth2 plugin on the service, with one consumer and credential. */
export async function oauthApi(gw: OAuthGateway, name: string, config: Record<string, unknown>, credential: Record<string, unknown> = {}) {
  const service = await write(gw, 'POST', '/services', { name, url: gw.upstream.url })
  const route = await write(gw, 'POST', `/services/${name}/routes`, { name: `${name}-route`, paths: [`/${name}`] })
  const plugin = await write(gw, 'POST', `/services/${name}/plugins`, { name: 'oauth2', config: { provision_key: `${name}-provision`, ...config } })
  const consumer = await write(gw, 'POST', '/consumers', { username: `${name}-app` })
  const client = await write(gw, 'POST', `/consumers/${consumer.id}/oauth2`, { name: `${name} client`, redirect_uris: ['http://app.test/cb'], ...credential })
  return { service, route, plugin, consumer, client }
}
