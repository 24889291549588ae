// WebSocket (any HTTP/1.1 `Upgrade`) proxying: the upgrade request runs the normal pipeline (route match,
// access phase, plugin exits), then a tunnel to the upstream replaces the forwarder once it answers 101.
import { request as httpRequest, ServerResponse, type ClientRequest, type IncomingMessage, type Server } from 'node:http'
import { request as httpsRequest } from 'node:https'
import type { Duplex } from 'node:stream'
import type { Socket } from 'node:net'
import { performance } from 'node:perf_hooks'
import { classifyUpstreamError } from '../upstream/errors.ts'
import { copyResponseHeaders } from '../upstream/hop-by-hop.ts'
import type { ForwardHooks, ForwardRequest, ForwardResult } from '../upstream/forward.ts'
import type { UpstreamTarget } from '../upstream/pools.ts'

/** The raw client connection of an upgrade request, kept on the request until the tunnel takes it. */
export interface Upgrade {
  socket: Duplex
  head: Buffer
}

const kUpgrade = Symbol('postern.upgrade')
type UpgradeReq = IncomingMessage & { [kUpgrade]?: Upgrade }

export function upgradeOf(req: IncomingMessage): Upgrade | undefined {
  return (req as UpgradeReq)[kUpgrade]
}

/**
 * Wires `server`'s 'upgrade' event to the request handler: the request gets a ServerResponse on the raw socket
 * (so route misses and plugin exits are answered exactly as for any request), and the handler's forwarding
 * step calls `tunnel` for it.
 */
export function handleUpgrades(server: Server, handle: (req: IncomingMessage, res: ServerResponse) => void): void {
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy())
    // Kong upgrades only to websocket; other tokens (h2c) are answered as ordinary requests on this socket
    if (/\bwebsocket\b/i.test(String(req.headers.upgrade))) (req as UpgradeReq)[kUpgrade] = { socket, head }
    const res = new ServerResponse(req)
    res.shouldKeepAlive = false // a refused upgrade ends the connection, as nginx does
    res.assignSocket(socket as Socket)
    res.on('finish', () => socket.end())
    handle(req, res)
  })
}

/**
 * Opens the upstream connection with the upgrade request; a 101 hands both sockets over to each other,
 * any other answer is relayed through `res` as a normal response. Resolves like `forward`.
 */
export function tunnel(target: UpstreamTarget, fr: ForwardRequest, up: Upgrade, res: ServerResponse, hooks: ForwardHooks): Promise<ForwardResult> {
  const t0 = performance.now()
  const client = up.socket
  const headers = { ...fr.headers, connection: 'upgrade', upgrade: String(res.req.headers.upgrade ?? 'websocket') }
  return new Promise((resolve) => {
    let settled = false
    const settle = (r: ForwardResult) => {
      if (!settled) {
        settled = true
        resolve(r)
      }
    }
    const opts = {
      host: target.host,
      port: target.port,
      method: fr.method,
      path: fr.path,
      headers,
      agent: false as const,
      timeout: target.connectTimeout || undefined,
    }
    const upReq: ClientRequest =
      target.protocol === 'https'
        ? httpsRequest({ ...opts, servername: sniName(target.host), rejectUnauthorized: target.tlsVerify === true, cert: target.tls?.cert, key: target.tls?.key, ca: target.tls?.ca })
        : httpRequest(opts)
    const fail = (err: unknown) => {
      const kind = client.destroyed ? 'aborted' : classifyUpstreamError(err)
      settle({ ok: false, kind, headersSent: res.headersSent, upstreamLatencyMs: performance.now() - t0 })
    }
    upReq.on('error', fail)
    // connect timeout until the socket is up, then the service's read timeout until the answer
    upReq.on('timeout', () => upReq.destroy(Object.assign(new Error('upstream timed out'), { code: connected ? 'UND_ERR_HEADERS_TIMEOUT' : 'UND_ERR_CONNECT_TIMEOUT' })))
    let connected = false
    upReq.on('socket', (s: Socket) =>
      s.once(target.protocol === 'https' ? 'secureConnect' : 'connect', () => {
        connected = true
        upReq.setTimeout(target.readTimeout)
      }),
    )
    const onClientGone = () => upReq.destroy()
    client.once('close', onClientGone)

    upReq.on('response', (upRes: IncomingMessage) => {
      // not upgraded (401 from the upstream, 404...): relay it as an ordinary response
      const latency = performance.now() - t0
      const h = copyResponseHeaders(upRes.headers as Record<string, string | string[]>, undefined)
      const status = hooks.onHeaders(upRes.statusCode ?? 502, h, latency)
      res.writeHead(status, h)
      upRes.pipe(res)
      upRes.on('end', () => settle({ ok: true, status, upstreamLatencyMs: latency, bytesSent: 0 }))
      upRes.on('error', fail)
    })

    upReq.on('upgrade', (upRes: IncomingMessage, upSocket: Socket, upHead: Buffer) => {
      client.off('close', onClientGone)
      const latency = performance.now() - t0
      const h: Record<string, string | string[]> = {}
      for (let i = 0; i < upRes.rawHeaders.length; i += 2) {
        const k = upRes.rawHeaders[i].toLowerCase()
        const v = upRes.rawHeaders[i + 1]
        const prev = h[k]
        h[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v]
      }
      const status = hooks.onHeaders(101, h, latency)
      let head = `HTTP/1.1 ${status} ${upRes.statusMessage || 'Switching Protocols'}\r\n`
      for (const k in h) for (const v of Array.isArray(h[k]) ? h[k] : [h[k] as string]) head += `${k}: ${v}\r\n`
      // the socket leaves node's HTTP machinery: from here on bytes flow untouched both ways
      res.detachSocket(client as Socket)
      client.write(head + '\r\n')
      if (upHead.length) client.write(upHead)
      if (up.head.length) upSocket.write(up.head)
      splice(client, upSocket, target.readTimeout)
      settle({ ok: true, status, upstreamLatencyMs: latency, bytesSent: 0 })
    })
    upReq.end()
  })
}

/** Pipes two sockets into each other; an idle period longer than `idleMs` (service read_timeout) ends both. */
function splice(a: Duplex, b: Socket, idleMs: number): void {
  a.pipe(b)
  b.pipe(a)
  b.setNoDelay(true)
  // either side ending or failing closes the other: half-open tunnels would leak sockets
  const closeBoth = () => {
    a.destroy()
    b.destroy()
  }
  a.on('close', closeBoth)
  b.on('close', closeBoth)
  a.on('error', closeBoth)
  b.on('error', closeBoth)
  if (idleMs > 0) {
    b.setTimeout(idleMs, closeBoth)
    ;(a as Socket).setTimeout?.(idleMs, closeBoth)
  }
}

function sniName(host: string): string | undefined {
  return /^[\d.]+$/.test(host) || host.includes(':') ? undefined : host
}
