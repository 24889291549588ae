// Kong's proxy-cache admin endpoints (kong/plugins/proxy-cache/api.lua). The cache lives in each proxy's
// memory, so a purge is a broadcast to every connected proxy; the admin holds no entries itself.
import type { Hono } from 'hono'
import { isUuid, type Broadcast } from '@postern/shared'
import { notFound, type AdminDeps } from './context.ts'

const PLUGIN = 'proxy-cache'

export function registerProxyCacheEndpoints(app: Hono, deps: AdminDeps, broadcast: (b: Broadcast) => void): void {
  if (!deps.catalogue.plugins.has(PLUGIN)) return
  const purge = (key: string | null) => broadcast({ plugin: PLUGIN, data: { key } })

  app.delete('/proxy-cache', (c) => {
    purge(null)
    return c.body(null, 204)
  })
  // Kong answers 404 when no local strategy holds the key; ours are on the proxies, so the purge is
  // always sent and answered 204 (a proxy without the key has nothing to do)
  app.delete('/proxy-cache/:cache_key', (c) => {
    purge(c.req.param('cache_key'))
    return c.body(null, 204)
  })
  app.delete('/proxy-cache/:plugin_id/caches/:cache_key', async (c) => {
    const id = c.req.param('plugin_id')
    const def = deps.catalogue.entity('plugins')!
    const plugin = isUuid(id) ? await deps.store.lookup(def, id) : undefined
    if (!plugin || plugin.name !== PLUGIN) throw notFound()
    purge(c.req.param('cache_key'))
    return c.body(null, 204)
  })
}
