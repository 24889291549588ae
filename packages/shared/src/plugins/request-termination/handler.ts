// request-termination access phase: answer immediately (optionally only when a trigger header/query is present).
import type { PluginHandler } from '../../pdk/index.ts'
import type { RequestTerminationConfig } from './schema.ts'

const DEFAULT_MESSAGES: Record<number, string> = { 503: 'Service unavailable', 403: 'Forbidden', 404: 'Not found', 401: 'Unauthorized', 429: 'Too many requests' }

export const handler: PluginHandler<RequestTerminationConfig> = {
  access(ctx) {
    const c = ctx.config
    if (c.trigger && ctx.request.getHeader(c.trigger) === undefined && !ctx.request.getQuery().has(c.trigger)) return
    if (c.echo) {
      const r = ctx.request
      return ctx.exit(c.status_code, { message: c.message ?? DEFAULT_MESSAGES[c.status_code] ?? 'Request terminated', request: { method: r.method, path: r.path, query: Object.fromEntries(r.getQuery()), headers: r.headers } }, undefined, 'request-termination')
    }
    if (c.body !== null) return ctx.exit(c.status_code, c.body, c.content_type ? { 'content-type': c.content_type } : undefined, 'request-termination')
    return ctx.exit(c.status_code, { message: c.message ?? DEFAULT_MESSAGES[c.status_code] ?? 'Request terminated' }, undefined, 'request-termination')
  },
}
