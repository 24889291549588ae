// correlation-id: keep the client's id or generate one, send it upstream, and optionally echo it back.
import type { PluginContext, PluginHandler } from '../../pdk/index.ts'
import { GENERATORS, type Generator } from './generators.ts'
import type { CorrelationIdConfig } from './schema.ts'

export interface CompiledCorrelationId {
  header: string
  generate: Generator
  echo: boolean
}

export function compile(c: CorrelationIdConfig): CompiledCorrelationId {
  return { header: c.header_name, generate: GENERATORS[c.generator], echo: c.echo_downstream }
}

// Kong keeps the id in kong.ctx.plugin; a symbol key keeps it out of kong.ctx.shared's visible names.
const ID = Symbol('correlation-id')
type Scratch = { [ID]?: string }

export const handler: PluginHandler<CompiledCorrelationId> = {
  access(ctx) {
    const c = ctx.config
    let id = ctx.request.getHeader(c.header)
    if (!id) {
      id = c.generate(ctx.request)
      ctx.upstream.setHeader(c.header, id)
    }
    if (c.echo) (ctx.shared as Scratch)[ID] = id
  },
  headerFilter(ctx: PluginContext<CompiledCorrelationId>, res) {
    const c = ctx.config
    if (!c.echo) return
    // a plugin that answered before ours ran leaves no id: Kong generates a fresh one then
    const id = (ctx.shared as Scratch)[ID] || ctx.request.getHeader(c.header) || c.generate(ctx.request)
    res.headers[c.header.toLowerCase()] = id
  },
}
