// request-transformer access phase, in Kong's order: uri, method, headers, body, querystring. Templates
// read the client's request as it arrived (Kong's read-only template environment).
import type { PluginContext, PluginHandler } from '../../pdk/index.ts'
import type { CompiledRequestTransformer, Ops } from './compile.ts'
import type { Template, TemplateEnv } from './template.ts'
import { bodyKind, transformBody } from './body.ts'
import { applyOps, appendValue, decodeParams, encodeParams, type Params } from './params.ts'

const NO_BODY_METHODS = new Set(['GET', 'HEAD', 'TRACE'])

function templateEnv(ctx: PluginContext): TemplateEnv {
  const h = ctx.request.headers
  let q: Params | undefined
  return {
    // ngx's header table: case-insensitive, and `_` stands for `-` (headers.x_custom)
    header: (n) => {
      const k = n.toLowerCase()
      return h[k] ?? h[k.replace(/_/g, '-')]
    },
    query: (n) => {
      const v = (q ??= decodeParams(ctx.request.rawQuery)).get(n)
      return v === true ? undefined : v
    },
    capture: (n) => ctx.request.getUriCaptures()[n],
    shared: (n) => ctx.shared[n],
  }
}

// a rendered value must not smuggle header lines (Kong's set_header refuses it and the request fails)
const BAD_VALUE = /[\r\n\0]/

/** False when a rendered header value is invalid. */
function transformHeaders(ctx: PluginContext, o: Ops, env: TemplateEnv): boolean {
  const up = ctx.upstream
  let ok = true
  const render = (t: Template) => {
    const v = t.render(env)
    if (BAD_VALUE.test(v)) ok = false
    return v
  }
  for (const name of o.remove) up.clearHeader(name)
  for (const { name, to } of o.rename) {
    const v = up.getHeader(name)
    if (v !== undefined && name !== to) {
      up.clearHeader(name)
      up.setHeader(to, v)
    }
  }
  for (const { name, value } of o.replace) if (value && (name === 'host' || up.getHeader(name) !== undefined)) up.setHeader(name, render(value))
  for (const { name, value } of o.add) if (value && name !== 'host' && up.getHeader(name) === undefined) up.setHeader(name, render(value))
  for (const { name, value } of o.append) if (value) up.addHeader(name, render(value))
  return ok
}

export const handler: PluginHandler<CompiledRequestTransformer> = {
  access(ctx) {
    const c = ctx.config
    const env = templateEnv(ctx)
    if (c.uri) ctx.upstream.setPath(c.uri.render(env))
    const kind = bodyKind(ctx.request.getHeader('content-type'))
    // Kong moves a form body into the query string when the new method has no body
    const mergeForm = c.method !== null && NO_BODY_METHODS.has(c.method) && kind === 'form'
    if (c.method) ctx.upstream.setMethod(c.method)
    if (!transformHeaders(ctx, c.headers, env)) return ctx.error(500, 'An unexpected error occurred', undefined, 'request-transformer.invalid-header-value')
    const bodyWork = c.body !== null && kind !== null
    if (!mergeForm && !bodyWork) return finishQuery(ctx, c, env, null)
    // only these paths wait for the body; every other request stays synchronous
    return ctx.request.getBody().then(async (raw) => {
      let formQuery: Params | null = null
      if (mergeForm) {
        const form = decodeParams(raw.toString('utf8'))
        if (form.size) {
          formQuery = decodeParams(ctx.upstream.getRawQuery())
          for (const [name, value] of form) {
            let cur = formQuery.get(name)
            for (const x of value === true ? [''] : Array.isArray(value) ? value : [value]) cur = cur === undefined ? x : appendValue(cur, x)
            formQuery.set(name, cur!)
          }
        }
      }
      if (bodyWork) {
        const contentType = ctx.request.getHeader('content-type')!
        const out = await transformBody(kind!, c.body!, raw, contentType, env)
        if (out) ctx.upstream.setBody(out.body, out.contentType)
      }
      finishQuery(ctx, c, env, formQuery)
    })
  },
}

function finishQuery(ctx: PluginContext, c: CompiledRequestTransformer, env: TemplateEnv, merged: Params | null): void {
  if (!c.query) {
    if (merged) ctx.upstream.setRawQuery(encodeParams(merged, true))
    return
  }
  const q = merged ?? decodeParams(ctx.upstream.getRawQuery())
  applyOps(q, c.query, env)
  ctx.upstream.setRawQuery(encodeParams(q, true))
}
