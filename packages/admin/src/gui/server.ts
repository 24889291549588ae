// The admin GUI listener (Kong Manager's KONG_ADMIN_GUI_LISTEN): the built static files and /config.json
// telling the browser where the admin API is. It holds no data; every call goes to the admin API.
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { existsSync, readFileSync } from 'node:fs'
import type { Server } from 'node:http'
import { extname, join, normalize, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Listen, Logger, Settings } from '@postern/shared'

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.json': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon',
}

/** packages/gui/dist, found from the source tree or from the bundled dist/postern.mjs. */
export function guiDir(): string | undefined {
  const here = fileURLToPath(new URL('.', import.meta.url))
  return [resolve(here, '../../../gui/dist'), resolve(here, '../packages/gui/dist')].find((d) => existsSync(join(d, 'index.html')))
}

function createGuiApp(settings: Settings, adminPorts: number[], dir: string | undefined): Hono {
  const app = new Hono()
  app.use('*', async (c, next) => {
    await next()
    c.header('X-Content-Type-Options', 'nosniff')
    c.header('X-Frame-Options', 'DENY')
    c.header('Content-Security-Policy', "default-src 'self'; connect-src *; img-src 'self' data:; object-src 'none'; frame-ancestors 'none'")
  })
  // Kong's admin_gui_api_url when set; otherwise the browser uses its own host name with the admin's port
  app.get('/config.json', (c) => c.json({ admin_api_url: settings.adminGuiApiUrl ?? null, admin_port: adminPorts[0] ?? null }))
  app.get('*', (c) => {
    if (!dir) return c.text('The admin GUI is not built: run `pnpm build` (pnpm start builds it).', 503)
    const rel = normalize(decodeURIComponent(c.req.path)).replace(/^(\.\.[/\\])+/, '')
    let file = join(dir, rel)
    if (!file.startsWith(dir) || !existsSync(file) || rel === '/' || !extname(file)) file = join(dir, 'index.html')
    c.header('Content-Type', TYPES[extname(file)] ?? 'application/octet-stream')
    if (file.includes('/assets/')) c.header('Cache-Control', 'public, max-age=31536000, immutable')
    return c.body(readFileSync(file))
  })
  return app
}

export async function startGui(settings: Settings, adminPorts: number[], log: Logger): Promise<{ ports: number[]; servers: Server[] }> {
  const dir = guiDir()
  if (!dir && settings.adminGuiListen.length) log.warn('admin GUI not built; serving a notice instead', {})
  const app = createGuiApp(settings, adminPorts, dir)
  const servers: Server[] = []
  const ports: number[] = []
  for (const l of settings.adminGuiListen as Listen[]) {
    ports.push(await new Promise<number>((res, rej) => {
      const s = serve({ fetch: app.fetch, hostname: l.host, port: l.port }, (info) => res(info.port)) as Server
      s.once('error', rej)
      servers.push(s)
    }))
  }
  return { ports, servers }
}
