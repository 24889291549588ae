// request-size-limiting access phase: Content-Length checked up front; a body without one (chunked) is
// counted while it streams upstream and stopped with the same answer once it passes the limit.
import type { PluginContext, PluginHandler } from '../../pdk/index.ts'
import type { RequestSizeLimitingConfig } from './schema.ts'

const TOO_LARGE = 'Request size limit exceeded'
const LENGTH_REQUIRED = 'A valid Content-Length header is required'
const FACTOR = { bytes: 1, kilobytes: 1024, megabytes: 1048576 } as const

export interface CompiledSizeLimit {
  allowedBytes: number
  requireContentLength: boolean
}

export function compile(c: RequestSizeLimitingConfig): CompiledSizeLimit {
  return { allowedBytes: c.allowed_payload_size * FACTOR[c.size_unit], requireContentLength: c.require_content_length }
}

/** Kong answers 417 instead of 413 when the client waits for `100 Continue`. */
function tooLarge(ctx: PluginContext<CompiledSizeLimit>) {
  const expect = ctx.request.getHeader('expect')
  const status = expect !== undefined && expect.trim().toLowerCase() === '100-continue' ? 417 : 413
  return ctx.error(status, TOO_LARGE, undefined, 'request-size-limiting.too-large')
}

export const handler: PluginHandler<CompiledSizeLimit> = {
  access(ctx) {
    const c = ctx.config
    const cl = ctx.request.getHeader('content-length')
    const length = cl === undefined || cl.trim() === '' ? NaN : Number(cl)
    if (!Number.isNaN(length)) {
      if (length > c.allowedBytes) return tooLarge(ctx)
      return
    }
    if (c.requireContentLength && ctx.request.getHeader('transfer-encoding') !== 'chunked')
      return ctx.error(411, LENGTH_REQUIRED, undefined, 'request-size-limiting.length-required')
    // Kong buffers the whole body to measure it; counting chunks as they pass gives the same answer in O(1) memory
    ctx.request.onBodyChunk((_chunk, total) => (total > c.allowedBytes ? tooLarge(ctx) : undefined))
  },
}
