// Shared setup for the upstream tests: a gateway, named upstream servers, and polling with a deadline.
import { afterAll, beforeAll } from 'vitest'
import { AdminClient } from '../support/admin-client.ts'
import { startGateway, waitForVersion, type ProxyProc } from '../support/processes.ts'
import { startNamedUpstream, type NamedUpstream } from '../fixtures/named-upstream.ts'

type Gateway = Awaited<ReturnType<typeof startGateway>>

/**
 * A test file's gateway (started before its tests, stopped after them with every upstream server `make`
 * started), its admin client, and the node's health of a target as the admin reports it.
 */
export function upstreamSuite(opts: Parameters<typeof startGateway>[0] = {}) {
  const all: NamedUpstream[] = []
  const suite = {
    gw: undefined as unknown as Gateway,
    api: undefined as unknown as AdminClient,
    async make(n: number, prefix: string): Promise<NamedUpstream[]> {
      const s = await servers(n, prefix)
      all.push(...s)
      return s
    },
    async healthOf(name: string, target: string): Promise<string | undefined> {
      return (await suite.api.get(`/upstreams/${name}/health`)).body.data.find((t: any) => t.target === target)?.health
    },
  }
  beforeAll(async () => {
    suite.gw = await startGateway(opts)
    suite.api = new AdminClient(suite.gw.admin.url)
  })
  afterAll(async () => {
    await Promise.all(all.map((s) => s.stop()))
    await suite.gw?.stop()
  })
  return suite
}

export async function servers(n: number, prefix = 'u'): Promise<NamedUpstream[]> {
  return Promise.all(Array.from({ length: n }, (_, i) => startNamedUpstream(`${prefix}${i}`)))
}

/** An upstream with one target per server, a service pointing at it and a route on `/<name>`. */
export async function balanced(api: AdminClient, proxy: ProxyProc, name: string, ups: NamedUpstream[], upstream: Record<string, unknown> = {}, weights?: number[], retries = 5) {
  const u = await api.post('/upstreams', { name, ...upstream })
  if (u.status !== 201) throw new Error(`upstream: ${u.status} ${u.text}`)
  for (const [i, s] of ups.entries()) {
    const t = await api.post(`/upstreams/${name}/targets`, { target: `127.0.0.1:${s.port}`, weight: weights?.[i] ?? 100 })
    if (t.status !== 201) throw new Error(`target: ${t.status} ${t.text}`)
  }
  const svc = await api.post('/services', { name, host: name, port: 80, retries })
  const r = await api.post(`/services/${name}/routes`, { paths: [`/${name}`] })
  await waitForVersion(proxy, r.version)
  return { upstream: u.body, service: svc.body }
}

export async function hit(proxy: ProxyProc, path: string, headers: Record<string, string> = {}): Promise<{ status: number; name?: string; body: any }> {
  const res = await fetch(`${proxy.url}${path}`, { headers })
  const text = await res.text()
  let body: any = text
  try {
    body = JSON.parse(text)
  } catch {}
  return { status: res.status, name: res.headers.get('x-upstream') ?? undefined, body }
}

export async function spread(proxy: ProxyProc, path: string, n: number): Promise<Record<string, number>> {
  const out: Record<string, number> = {}
  for (let i = 0; i < n; i++) {
    const r = await hit(proxy, path)
    const k = r.name ?? String(r.status)
    out[k] = (out[k] ?? 0) + 1
  }
  return out
}

/** Poll until `check` returns a truthy value (or throw with the last value after `ms`). */
export async function until<T>(check: () => Promise<T>, ms = 15_000, label = 'condition'): Promise<NonNullable<T>> {
  const end = Date.now() + ms
  let last: T | undefined
  while (Date.now() < end) {
    last = await check()
    if (last) return last as NonNullable<T>
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`${label} not met in ${ms} ms; last: ${JSON.stringify(last)}`)
}
