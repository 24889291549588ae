// HTTP/2 listeners (Kong's `http2` flag on a KONG_PROXY_LISTEN entry): with `ssl`, ALPN picks h2 or
// HTTP/1.1 on one port; without, h2c with prior knowledge (as nginx's plaintext `http2`). HTTP/2 requests
// are adapted so the pipeline and plugins see the same request as over HTTP/1.1.
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { SecureContext } from 'node:tls'
import { isGrpcRequest, mapGatewayErrorsToGrpc } from './grpc.ts'
import { http2 } from './node-http2.ts'

type Handler = (req: IncomingMessage, res: ServerResponse) => void

export interface Http2ListenerOptions {
  ssl: boolean
  cert?: Buffer
  key?: Buffer
  SNICallback?: (name: string, cb: (err: Error | null, ctx?: SecureContext) => void) => void
}

/** An HTTP/2 server typed as node:http's Server: the pipeline uses only the API both share. */
export function createHttp2Listener(o: Http2ListenerOptions): Server {
  const server = o.ssl
    ? http2().createSecureServer({ allowHTTP1: true, cert: o.cert, key: o.key, SNICallback: o.SNICallback })
    : http2().createServer()
  return server as unknown as Server
}

/**
 * Wraps the request handler for an HTTP/2 listener. HTTP/1.1 requests (ALPN fallback) pass untouched; an
 * HTTP/2 request gets `headers` without pseudo-headers and with `host` from `:authority`, and a streamed body
 * without content-length is marked chunked, which is how it travels to an HTTP/1.1 upstream.
 */
export function http2Handler(handler: Handler): (req: IncomingMessage | Http2ServerRequest, res: ServerResponse | Http2ServerResponse) => void {
  return (req, res) => {
    if (req.httpVersionMajor !== 2) return handler(req as IncomingMessage, res as ServerResponse)
    const r = req as Http2ServerRequest
    const src = r.headers
    const h: Record<string, string | string[] | undefined> = {}
    for (const k in src) if (k.charCodeAt(0) !== 58 /* ':' */) h[k] = src[k]
    h.host ??= src[':authority'] as string | undefined
    if (h['content-length'] === undefined && !r.stream.endAfterHeaders) h['transfer-encoding'] = 'chunked'
    // an own property shadows the compat getter; method and url still come from the pseudo-headers
    Object.defineProperty(r, 'headers', { value: h, configurable: true, writable: true })
    if (isGrpcRequest(h)) mapGatewayErrorsToGrpc(res as Http2ServerResponse)
    handler(r as unknown as IncomingMessage, res as unknown as ServerResponse)
  }
}
