// DNS for targets and service hosts (Kong's dns client): /etc/hosts first, then A records through a
// node:dns Resolver with their TTLs; each name is refreshed before it expires, off the request path.
import { Resolver, lookup } from 'node:dns'
import { readFileSync } from 'node:fs'
import { isIP } from 'node:net'
import type { Logger } from '@postern/shared'

type Listener = (ips: string[], error: string | null) => void

interface Entry {
  ips: string[]
  error: string | null
  listeners: Set<Listener>
  timer: NodeJS.Timeout | null
}

/** When a lookup fails: retry after Kong's dns_error_ttl (1 s), keeping what we had (dns_stale_ttl). */
const ERROR_RETRY_MS = 1000
/** TTL given to answers of the system resolver fallback, which does not tell one. */
const FALLBACK_TTL_S = 30
const MIN_REFRESH_MS = 200

export interface DnsOptions {
  /** `host:port` name servers (KONG_DNS_RESOLVER); empty = the system's. */
  servers: string[]
  hostsFile?: string
  log: Logger
}

export class DnsCache {
  private entries = new Map<string, Entry>()
  private resolver = new Resolver({ timeout: 2000, tries: 2 })
  private hosts = new Map<string, string>()
  private closed = false

  constructor(private o: DnsOptions) {
    if (o.servers.length) this.resolver.setServers(o.servers)
    this.hosts = readHosts(o.hostsFile ?? '/etc/hosts')
  }

  /** Follow `host`: `cb` gets the current addresses now if known, and again after every change. */
  watch(host: string, cb: Listener): () => void {
    const ip = literal(host)
    if (ip !== null) {
      cb([ip], null)
      return () => {}
    }
    const fixed = this.hosts.get(host.toLowerCase())
    if (fixed !== undefined) {
      cb([fixed], null)
      return () => {}
    }
    let e = this.entries.get(host)
    if (!e) {
      e = { ips: [], error: null, listeners: new Set(), timer: null }
      this.entries.set(host, e)
      this.refresh(host, e)
    } else if (e.ips.length || e.error) cb(e.ips, e.error)
    e.listeners.add(cb)
    const entry = e
    return () => {
      entry.listeners.delete(cb)
      if (entry.listeners.size === 0) {
        if (entry.timer) clearTimeout(entry.timer)
        this.entries.delete(host)
      }
    }
  }

  private refresh(host: string, e: Entry): void {
    e.timer = null
    if (this.closed) return
    this.resolver.resolve4(host, { ttl: true }, (err, records) => {
      if (this.closed || this.entries.get(host) !== e) return
      if (!err && records.length) {
        const ttl = Math.min(...records.map((r) => r.ttl))
        return this.settle(host, e, records.map((r) => r.address), null, ttl)
      }
      if (this.o.servers.length) return this.settle(host, e, e.ips, `dns server error: ${err?.code ?? 'no answer'}`, 0)
      // no configured name server: the system resolver (which knows no TTL) answers instead
      lookup(host, { family: 4, all: true }, (err2, addrs) => {
        if (this.closed || this.entries.get(host) !== e) return
        if (err2 || !addrs.length) this.settle(host, e, e.ips, `dns server error: ${err2?.code ?? 'no answer'}`, 0)
        else this.settle(host, e, addrs.map((a) => a.address), null, FALLBACK_TTL_S)
      })
    })
  }

  private settle(host: string, e: Entry, ips: string[], error: string | null, ttl: number): void {
    const changed = error !== e.error || ips.length !== e.ips.length || ips.some((ip, i) => ip !== e.ips[i])
    if (error) this.o.log.warn('dns resolution failed; keeping the last addresses', { host, error })
    e.ips = ips
    e.error = ips.length ? null : error
    // refresh a little before the answer expires so requests never wait on a lookup
    const ms = error ? ERROR_RETRY_MS : Math.max(MIN_REFRESH_MS, ttl * 1000 * 0.8)
    e.timer = setTimeout(() => this.refresh(host, e), ms)
    e.timer.unref()
    if (changed) for (const l of e.listeners) l(e.ips, e.error)
  }

  close(): void {
    this.closed = true
    for (const e of this.entries.values()) if (e.timer) clearTimeout(e.timer)
    this.entries.clear()
  }
}

function literal(host: string): string | null {
  const h = host.startsWith('[') ? host.slice(1, -1) : host
  return isIP(h) ? h : null
}

/** IPv4 names from the hosts file (Kong's default dns_order puts A before AAAA and ignores AAAA). */
function readHosts(path: string): Map<string, string> {
  const out = new Map<string, string>()
  let text = ''
  try {
    text = readFileSync(path, 'utf8')
  } catch {
    return out
  }
  for (const line of text.split('\n')) {
    const [ip, ...names] = line.replace(/#.*/, '').trim().split(/\s+/)
    if (!ip || isIP(ip) !== 4) continue
    for (const n of names) if (!out.has(n.toLowerCase())) out.set(n.toLowerCase(), ip)
  }
  if (!out.has('localhost')) out.set('localhost', '127.0.0.1')
  return out
}
