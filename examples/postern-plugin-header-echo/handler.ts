// header-echo phases: `access` may refuse a request that lacks a required header; `headerFilter` copies the
// request headers onto the response. Both touch the world only through `ctx`.
import type { PluginHandler } from '@postern/shared'
import type { HeaderEchoConfig } from './schema.ts'

/** What `compile` prepares once per plugin instance, so requests do no string work on the config. */
export interface Compiled {
  headers: string[]
  prefix: string
  required: boolean
  upstreamHeader: string | null
}

export function compile(config: HeaderEchoConfig): Compiled {
  return { headers: config.headers.map((h) => h.toLowerCase()), prefix: config.prefix, required: config.required, upstreamHeader: config.upstream_header }
}

export const handler: PluginHandler<Compiled> = {
  access(ctx) {
    const c = ctx.config
    if (c.required) {
      const missing = c.headers.find((h) => ctx.request.getHeader(h) === undefined)
      // an expected denial is a return value with a machine-readable reason, never a throw
      if (missing) return ctx.exit(400, { message: `missing header: ${missing}` }, undefined, 'header-echo.missing')
    }
    if (c.upstreamHeader) ctx.upstream.setHeader(c.upstreamHeader, 'header-echo')
  },
  headerFilter(ctx, res) {
    for (const h of ctx.config.headers) {
      const value = ctx.request.getHeader(h)
      if (value !== undefined) res.headers[`${ctx.config.prefix}${h}`] = value
    }
  },
}
