// response-transformer phases: headers in header_filter; the JSON body is buffered only when a JSON
// change is configured and the response is JSON, otherwise chunks stream through untouched.
import type { PluginHandler } from '../../pdk/index.ts'
import { isJsonBody, transformHeaders, transformJson, type CompiledResponseTransformer } from './transform.ts'

const EMPTY = Buffer.alloc(0)
// per-request buffer, under a symbol in the request's shared scratch (Kong's kong.ctx.plugin)
const BUF = Symbol('response-transformer.body')
type Scratch = { [BUF]?: Buffer[] }

export const handler: PluginHandler<CompiledResponseTransformer> = {
  headerFilter(ctx, res) {
    const c = ctx.config
    transformHeaders(c, res.headers)
    if (c.json && isJsonBody(res.headers['content-type'])) (ctx.shared as Scratch)[BUF] = []
  },
  bodyFilter(ctx, chunk, last) {
    const json = ctx.config.json
    const buf = (ctx.shared as Scratch)[BUF]
    if (!json || !buf) return chunk
    if (chunk.length) buf.push(chunk)
    if (!last) return EMPTY
    const raw = Buffer.concat(buf)
    const out = transformJson(json, raw.toString('utf8'))
    if (out === undefined) {
      ctx.log.warn('body transform failed: failed parsing json body')
      return raw
    }
    return Buffer.from(out)
  },
}
