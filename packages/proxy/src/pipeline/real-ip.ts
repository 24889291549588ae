// The client address as Kong's nginx realip module sees it (`set_real_ip_from` = KONG_TRUSTED_IPS,
// `real_ip_header`, `real_ip_recursive`): decided once per request, read by plugins through ctx.client.
import type { IncomingHttpHeaders } from 'node:http'
import { compileIpMatcher, parseIp } from '@postern/shared'

export interface RealIpSettings {
  trustedIps: string[]
  realIpHeader: string
  realIpRecursive: boolean
}

export interface ClientAddress {
  /** Is the connecting peer trusted (its X-Forwarded-* headers believed)? */
  trusted(peer: string): boolean
  /** The forwarded client address (Kong's `$remote_addr` after realip); `peer` when nothing applies. */
  forwardedIp(peer: string, headers: IncomingHttpHeaders): string
}

/** Kong's trusted_ips: addresses and CIDR blocks (`0.0.0.0/0,::/0` trusts everyone); `unix:` entries are ignored. */
export function clientAddress(s: RealIpSettings): ClientAddress {
  const list = s.trustedIps.filter((ip) => !ip.startsWith('unix:'))
  const matcher = list.length ? compileIpMatcher(list) : null
  const trusted = matcher === null ? () => false : (ip: string) => matcher.match(ip)
  const header = s.realIpHeader.toLowerCase()
  // `proxy_protocol` names no header; Postern does not speak the PROXY protocol, so it changes nothing
  const usable = matcher !== null && header !== 'proxy_protocol'
  return {
    trusted,
    forwardedIp(peer, headers) {
      if (!usable || !trusted(peer)) return peer
      const raw = headers[header]
      if (raw === undefined) return peer
      return fromList(Array.isArray(raw) ? raw.join(',') : raw, trusted, s.realIpRecursive) ?? peer
    },
  }
}

/**
 * nginx's ngx_http_get_forwarded_addr: take the right-most address of the list; recursively, keep walking
 * left while that address is itself trusted. An unparsable element stops the walk at the last good one.
 */
function fromList(value: string, trusted: (ip: string) => boolean, recursive: boolean): string | null {
  const items = value.split(',')
  let found: string | null = null
  for (let i = items.length - 1; i >= 0; i--) {
    const ip = addressOf(items[i].trim())
    if (ip === null) return found
    found = ip
    if (!recursive || !trusted(ip)) return found
  }
  return found
}

/** `1.2.3.4`, `1.2.3.4:80`, `::1`, `[::1]` or `[::1]:80` → the address, or null. */
function addressOf(item: string): string | null {
  if (item === '') return null
  if (item.startsWith('[')) {
    const end = item.indexOf(']')
    if (end < 0) return null
    const rest = item.slice(end + 1)
    if (rest !== '' && !/^:\d{1,5}$/.test(rest)) return null
    item = item.slice(1, end)
  } else if (item.indexOf(':') === item.lastIndexOf(':') && item.includes(':')) {
    const [addr, port] = item.split(':')
    if (!/^\d{1,5}$/.test(port)) return null
    item = addr
  }
  return parseIp(item) === null ? null : item
}
