// A bounded, seeded fuzz of the admin API (undici's test/fuzzing, Envoy's *_fuzz_test): a few thousand
// requests over every endpoint family with every method and JSON, form, multipart and garbage bodies.
// Invariants: never a 5xx; every 4xx is JSON with a `message`; a rejected write leaves the config version
// as it was. A failure prints the seed and the request so it can be replayed.
import { describe, expect, it } from 'vitest'
import { useAdmin } from './support/admin-suite.ts'

const suite = useAdmin()
const SEED = Number(process.env.POSTERN_FUZZ_SEED ?? 20261206)
const REQUESTS = Number(process.env.POSTERN_FUZZ_REQUESTS ?? 2500)
const BUDGET_MS = 40_000

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const METHODS = ['GET', 'GET', 'POST', 'POST', 'PUT', 'PATCH', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD', 'FOO', 'PURGE']
const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])
const EXTRA_PATHS = ['/config', '/schemas/{entity}', '/schemas/plugins/{plugin}', '/schemas/plugins/validate', '/schemas/{entity}/validate', '/nothing/{key}', '/endpoints']
const FIELDS = [
  'name', 'host', 'port', 'path', 'protocol', 'url', 'retries', 'connect_timeout', 'paths', 'hosts', 'methods', 'headers', 'protocols',
  'service', 'route', 'consumer', 'username', 'custom_id', 'tags', 'key', 'secret', 'algorithm', 'rsa_public_key', 'config', 'enabled',
  'strip_path', 'regex_priority', 'client_id', 'client_secret', 'hash_secret', 'redirect_uris', 'credential', 'expires_in', 'access_token',
  'id', 'created_at', 'ttl', 'instance_name', 'snis', 'sources', 'destinations', 'https_redirect_status_code', '_format_version', 'services',
]
const PLUGINS = ['key-auth', 'jwt', 'oauth2', 'request-termination', 'kong-auth-integration', 'phantom-token', 'oauth2-introspection', 'nope']

interface Req {
  method: string
  path: string
  headers: Record<string, string>
  body?: string | FormData | Buffer
  describe: string
}

function generator(rand: () => number, known: Record<string, string[]>) {
  const int = (n: number) => Math.floor(rand() * n)
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]
  const chance = (p: number) => rand() < p
  const str = (): string =>
    pick([
      '', 'x', 'svc', 'example.test', 'http://echo.test:8080/p', 'https://x', '/a', '~/re(x', 'ünïcødé', 'a'.repeat(300), '%00', '{}', ' ',
      '00000000-0000-0000-0000-000000000000', '../../etc', 'GET', 'http', 'Bearer x', '-----BEGIN PUBLIC KEY-----\nx\n-----END PUBLIC KEY-----',
      ...Object.values(known).flat(),
    ])
  const value = (depth = 0): unknown => {
    switch (int(depth > 2 ? 6 : 9)) {
      case 0: return str()
      case 1: return pick([0, -1, 1, 80, 65536, 1e12, 1.5, Number.MAX_SAFE_INTEGER])
      case 2: return chance(0.5)
      case 3: return null
      case 4: return str()
      case 5: return pick(Object.values(known).flat().concat(['missing']))
      case 6: return Array.from({ length: int(4) }, () => value(depth + 1))
      case 7: return { id: pick(known.ids ?? ['x']) }
      default: return object(depth + 1)
    }
  }
  const object = (depth = 0): Record<string, unknown> => {
    const o: Record<string, unknown> = {}
    for (let i = int(5); i > 0; i--) o[chance(0.9) ? pick(FIELDS) : str()] = value(depth)
    if (chance(0.3)) o.name = pick(PLUGINS)
    return o
  }
  const fill = (template: string): string =>
    template.replace(/\{(\w+)\}/g, (_, p: string) => {
      if (p === 'entity') return pick(['services', 'routes', 'consumers', 'plugins', 'jwt_secrets', 'nope'])
      if (p === 'plugin') return pick(PLUGINS)
      const pool = [...(known.ids ?? []), ...(known.names ?? []), 'nope', '%20', '00000000-0000-0000-0000-000000000000', 'a'.repeat(200)]
      return encodeURIComponent(pick(pool))
    })
  const query = () => (chance(0.2) ? '?' + pick(['size=2', 'size=0', 'size=abc', 'offset=zzz', 'tags=a,b', 'tags=a/b', 'offset=', 'size=1001', 'x[1]=2']) : '')

  return function next(paths: string[]): Req {
    const method = pick(METHODS)
    const path = fill(pick(paths)) + query()
    const headers: Record<string, string> = {}
    let body: Req['body']
    let kind = 'none'
    if (method !== 'GET' && method !== 'HEAD' && chance(0.85)) {
      switch (int(5)) {
        case 0:
        case 1:
          kind = 'json'
          headers['content-type'] = 'application/json'
          body = chance(0.9) ? JSON.stringify(object()) : pick(['{', '[]', 'null', '"x"', '{"a":1}{', ''])
          break
        case 2: {
          kind = 'form'
          headers['content-type'] = 'application/x-www-form-urlencoded'
          const p = new URLSearchParams()
          for (let i = int(5); i > 0; i--) p.append(pick([...FIELDS, 'config.key_names', 'paths[1]', 'tags[]', 'service.id', 'config.anonymous']), String(value(3)))
          body = p.toString()
          break
        }
        case 3: {
          kind = 'multipart'
          const f = new FormData()
          for (let i = int(4); i > 0; i--) f.append(pick([...FIELDS, 'config.key_names[1]', 'paths[]']), String(value(3)))
          if (chance(0.3)) f.append('rsa_public_key', new Blob(['not a key']), 'key.pem')
          body = f
          break
        }
        default: {
          kind = 'garbage'
          headers['content-type'] = pick(['application/json', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/octet-stream'])
          body = Buffer.from(Array.from({ length: int(64) }, () => int(256)))
        }
      }
    }
    return { method, path, headers, body, describe: `${method} ${path} (${kind})` }
  }
}

async function configVersion(url: string): Promise<number> {
  return ((await (await fetch(`${url}/status`)).json()) as { configuration_version: number }).configuration_version
}

describe('admin fuzz', () => {
  it(`keeps its invariants over ${REQUESTS} seeded requests (seed ${SEED})`, { timeout: 90_000 }, async () => {
    const url = suite.proc.url
    const admin = suite.admin
    // a few real rows, so item paths hit existing entities as well as missing ones
    const svc = (await admin.post('/services', { name: 'fz-svc', url: 'http://echo.test' })).body
    const route = (await admin.post('/services/fz-svc/routes', { name: 'fz-route', paths: ['/fz'] })).body
    const consumer = (await admin.post('/consumers', { username: 'fz-user' })).body
    const plugin = (await admin.post('/plugins', { name: 'key-auth', instance_name: 'fz-plugin' })).body
    const key = (await admin.post('/consumers/fz-user/key-auth', { key: 'fz-key' })).body
    const oauth = (await admin.post('/consumers/fz-user/oauth2', { name: 'fz', client_id: 'fz-client' })).body
    const known = { ids: [svc.id, route.id, consumer.id, plugin.id, key.id, oauth.id], names: ['fz-svc', 'fz-route', 'fz-user', 'fz-plugin', 'fz-key', 'fz-client'] }
    const listed = (await admin.get('/endpoints')).body.data as string[]
    const paths = [...listed, ...EXTRA_PATHS]

    const rand = prng(SEED)
    const next = generator(rand, known)
    const problems: string[] = []
    let version = await configVersion(url)
    const started = Date.now()
    let sent = 0
    for (; sent < REQUESTS && Date.now() - started < BUDGET_MS; sent++) {
      const r = next(paths)
      let res: Response
      let text: string
      try {
        res = await fetch(url + r.path, { method: r.method, headers: r.headers, body: r.body as BodyInit | undefined })
        text = await res.text()
      } catch (e) {
        problems.push(`#${sent} ${r.describe}: transport error ${String((e as Error).cause ?? e)}`)
        continue
      }
      const where = `#${sent} ${r.describe} -> ${res.status}`
      if (res.status >= 500) problems.push(`${where}: ${text.slice(0, 200)}`)
      if (res.status >= 400 && r.method !== 'HEAD') {
        let parsed: any
        try {
          parsed = JSON.parse(text)
        } catch {
          parsed = undefined
        }
        if (typeof parsed?.message !== 'string') problems.push(`${where}: not a JSON body with a message: ${text.slice(0, 200)}`)
        if (!String(res.headers.get('content-type')).startsWith('application/json')) problems.push(`${where}: content-type ${res.headers.get('content-type')}`)
      }
      if (WRITES.has(r.method) || r.method === 'FOO' || r.method === 'PURGE') {
        const now = await configVersion(url)
        if (res.status >= 400 && now !== version) problems.push(`${where}: config version moved ${version} -> ${now} on a rejected write`)
        version = now
      }
      if (problems.length >= 10) break
    }
    expect(problems, `seed ${SEED}`).toEqual([])
    // the budget is a guard for a very slow machine; the run must still have covered a useful share
    expect(sent).toBeGreaterThanOrEqual(Math.min(REQUESTS, 1000))
  })
})
