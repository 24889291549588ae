// node:http2, loaded on first use (a gRPC service's request, an `http2` listener): its module tree is ≈ 12 ms
// of a proxy's cold start on this project's machines, and most gateways use neither.
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
let mod: typeof import('node:http2') | undefined

export function http2(): typeof import('node:http2') {
  return (mod ??= require('node:http2') as typeof import('node:http2'))
}
