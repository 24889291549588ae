// Sending log entries over TCP (optionally TLS) and UDP for tcp-log and udp-log: one connection per
// destination, opened on demand and closed after `keepalive` ms idle, never on the request path.
import { connect as tcpConnect, type Socket } from 'node:net'
import { connect as tlsConnect } from 'node:tls'
import { createSocket, type Socket as UdpSocket } from 'node:dgram'

export interface TcpTarget {
  host: string
  port: number
  timeout: number
  keepalive: number
  tls: boolean
  tlsSni: string | null
}

const tcp = new Map<string, { socket: Socket; idle?: NodeJS.Timeout }>()

function open(t: TcpTarget, key: string): Promise<Socket> {
  const live = tcp.get(key)
  if (live && !live.socket.destroyed) return Promise.resolve(live.socket)
  return new Promise((resolve, reject) => {
    const socket = t.tls
      ? tlsConnect({ host: t.host, port: t.port, servername: t.tlsSni ?? t.host, rejectUnauthorized: false })
      : tcpConnect({ host: t.host, port: t.port })
    socket.setTimeout(t.timeout, () => socket.destroy(new Error('timeout')))
    socket.once(t.tls ? 'secureConnect' : 'connect', () => {
      tcp.set(key, { socket })
      resolve(socket)
    })
    socket.once('error', reject)
    socket.on('error', () => undefined)
    socket.once('close', () => tcp.get(key)?.socket === socket && tcp.delete(key))
  })
}

/** Write the entries, each followed by CRLF as Kong's tcp-log does. */
export async function sendTcp(t: TcpTarget, entries: readonly (string | Buffer)[]): Promise<void> {
  const key = `${t.tls ? 'tls' : 'tcp'}://${t.host}:${t.port}|${t.tlsSni ?? ''}`
  const socket = await open(t, key)
  await new Promise<void>((resolve, reject) => socket.write(entries.map((e) => e + '\r\n').join(''), (err) => (err ? reject(err) : resolve())))
  const slot = tcp.get(key)
  if (slot) {
    if (slot.idle) clearTimeout(slot.idle)
    slot.idle = setTimeout(() => socket.end(), t.keepalive)
    slot.idle.unref()
  }
}

let udp4: UdpSocket | undefined
let udp6: UdpSocket | undefined

/** One datagram per entry (Kong's udp-log); errors are reported, never thrown at the request. */
export function sendUdp(host: string, port: number, entry: string, onError: (e: Error) => void): void {
  const v6 = host.includes(':')
  let s = v6 ? udp6 : udp4
  if (!s) {
    s = createSocket(v6 ? 'udp6' : 'udp4')
    s.unref()
    s.on('error', onError)
    if (v6) udp6 = s
    else udp4 = s
  }
  s.send(entry, port, host, (err) => err && onError(err))
}
