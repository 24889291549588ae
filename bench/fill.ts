// What makes a gateway "small" or "large" (filler routes, consumers with credentials), plus the preflight and memory reads both modes use.
import { Pool } from 'undici'
import { createMany, proxyStatus, type BenchAdmin } from './admin.ts'
import { log } from './options.ts'
import type { Gateway } from './procs.ts'
import type { MemoryRow } from './report.ts'
import { fillerRoute, type Request } from './scenarios.ts'

/** The filler routes: one service, routes with distinct hosts and prefixes (see fillerRoute). */
export async function fillRoutes(admin: BenchAdmin, upstreamUrl: string, count: number): Promise<void> {
  const service = await admin.create('/services', { name: 'bench-filler', url: upstreamUrl })
  const started = Date.now()
  await createMany(admin, `/services/${service.id}/routes`, count, (i) => ({ ...fillerRoute(i), strip_path: true }), 8)
  log(`created ${count} routes in ${((Date.now() - started) / 1000).toFixed(1)} s`)
}

/**
 * Consumer i with one key-auth key and one jwt (HS256, generated secret) credential, through the same bounded
 * parallel POST path as the routes: the proxy has to hold every consumer and both credential indexes.
 */
export async function fillConsumers(admin: BenchAdmin, count: number): Promise<void> {
  const started = Date.now()
  let next = 0
  const worker = async () => {
    while (next < count) {
      const i = next++
      const c = await admin.create('/consumers', { username: `bench-consumer-${i}` })
      await Promise.all([
        admin.create(`/consumers/${c.id}/key-auth`, { key: `bench-consumer-key-${i}` }),
        admin.create(`/consumers/${c.id}/jwt`, { key: `bench-consumer-iss-${i}` }),
      ])
    }
  }
  await Promise.all(Array.from({ length: Math.min(8, count) }, worker))
  if (count > 0) log(`created ${count} consumers with a key-auth and a jwt credential each in ${((Date.now() - started) / 1000).toFixed(1)} s`)
}

/** One request before measuring: a row that does not answer 200 would measure an error page. */
export async function preflight(url: string, req: Request): Promise<void> {
  const pool = new Pool(url)
  try {
    const r = await pool.request({ method: 'GET', path: req.path, headers: req.headers })
    const body = await r.body.text()
    if (r.statusCode !== 200) throw new Error(`preflight ${url}${req.path} → ${r.statusCode} ${body.slice(0, 200)}`)
  } finally {
    await pool.close()
  }
}

/** Proxy memory from its status listener (`/status` memory.rss / heap_used). */
export async function memory(gw: Pick<Gateway, 'name' | 'statusUrl'>, routes: number, when: string): Promise<MemoryRow> {
  const s = await proxyStatus(gw.statusUrl)
  return { gateway: `${gw.name} proxy`, routes, when, rssMB: (s.memory?.rss ?? NaN) / 2 ** 20, heapUsedMB: s.memory?.heap_used === undefined ? undefined : s.memory.heap_used / 2 ** 20 }
}
