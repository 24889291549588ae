// proxy-cache phases (Kong's handler.lua): access answers a fresh hit from the dictionary or marks the
// request; header_filter decides whether the response is cacheable; body_filter stores it at the end.
import type { PluginContext, PluginHandler } from '../../pdk/index.ts'
import { buildCacheKey, headersKey, paramsKey, parseQuery, prefixOf } from './cache-key.ts'
import { num, parseDirectives, resourceTtl, type Directives } from './cache-control.ts'
import { dictionary, type CachedResponse, type MemoryDictionary } from './memory.ts'
import type { ProxyCacheConfig } from './schema.ts'

const CACHE_VERSION = 1
const EMPTY = Buffer.alloc(0)
// never replayed from the cache: hop-by-hop and framing (Kong's list), plus our per-request headers
const NOT_REPLAYED = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailers', 'transfer-encoding', 'upgrade', 'content-length',
  'age', 'x-cache-status', 'x-cache-key', 'x-kong-request-id', 'x-kong-upstream-latency', 'x-kong-proxy-latency', 'x-kong-response-latency'])

type Mime = { type: string; subtype: string; params: Record<string, string> }

export interface CompiledProxyCache extends ProxyCacheConfig {
  dict: MemoryDictionary
  methods: Set<string>
  codes: Set<number>
  types: Mime[]
}

export function compile(c: ProxyCacheConfig): CompiledProxyCache {
  return {
    ...c,
    dict: dictionary(c.memory.dictionary_name),
    methods: new Set(c.request_method),
    codes: new Set(c.response_code),
    types: c.content_type.map(parseMime).filter((m): m is Mime => m !== null),
  }
}

function parseMime(s: string): Mime | null {
  const [main, ...rest] = s.split(';')
  const m = /^\s*([^/\s]+)\/([^/\s]+)\s*$/.exec(main)
  if (!m) return null
  const params: Record<string, string> = {}
  for (const p of rest) {
    const eq = p.indexOf('=')
    if (eq > 0) params[p.slice(0, eq).trim().toLowerCase()] = p.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1')
  }
  return { type: m[1].toLowerCase(), subtype: m[2].toLowerCase(), params }
}

/** Kong's exact content-type match: type and subtype (or `*`), and exactly the same parameters. */
export function contentTypeMatches(expected: Mime[], ct: string | string[] | undefined): boolean {
  if (typeof ct !== 'string' || ct === '') return false
  const got = parseMime(ct)
  if (!got) return false
  return expected.some((e) => {
    if ((e.type !== '*' && e.type !== got.type) || (e.subtype !== '*' && e.subtype !== got.subtype)) return false
    const ek = Object.keys(e.params)
    return ek.length === Object.keys(got.params).length && ek.every((k) => e.params[k] === got.params[k])
  })
}

// per-request state (Kong's kong.ctx.plugin.proxy_cache) under a symbol in the request's scratch space
const STATE = Symbol('proxy-cache')
interface State {
  key: string | null
  status: 'Miss' | 'Refresh' | 'Bypass'
  store?: { status: number; headers: Record<string, string | string[]>; ttl: number; chunks: Buffer[]; size: number } | null
}
type Scratch = { [STATE]?: State }

const nowSeconds = () => Math.floor(Date.now() / 1000)

function cacheKey(ctx: PluginContext<CompiledProxyCache>): string {
  const c = ctx.config
  const r = ctx.request
  // Kong strips `?.*` from nginx's $request ("GET /p?q HTTP/1.1"), so the protocol stays only without a query
  let uri = `${r.method} ${r.rawUri} HTTP/${r.httpVersion}`
  const q = uri.indexOf('?')
  if (q >= 0) uri = uri.slice(0, q)
  if (c.ignore_uri_case) uri = uri.toLowerCase()
  const header = (n: string) => {
    const k = n.toLowerCase()
    return r.headers[k] ?? r.headers[k.replace(/_/g, '-')]
  }
  return buildCacheKey(prefixOf(ctx.client.getConsumer()?.id ?? null, (ctx.route?.id as string | undefined) ?? null), r.method, uri, paramsKey(parseQuery(r.rawQuery), c.vary_query_params), headersKey(header, c.vary_headers))
}

function stale(c: CompiledProxyCache, cc: Directives, res: CachedResponse, now: number): boolean {
  if (!c.cache_control) return now - res.timestamp > c.cache_ttl
  const maxAge = num(cc['max-age'])
  const maxStale = num(cc['max-stale'])
  const minFresh = num(cc['min-fresh'])
  return (maxAge !== undefined && now - res.timestamp > maxAge)
    || (maxStale !== undefined && now - res.timestamp - res.ttl > maxStale)
    || (minFresh !== undefined && res.ttl - (now - res.timestamp) < minFresh)
}

export const handler: PluginHandler<CompiledProxyCache> = {
  access(ctx) {
    const c = ctx.config
    const scratch = ctx.shared as Scratch
    const cc: Directives = c.cache_control ? parseDirectives(ctx.request.headers['cache-control']) : {}
    if (!c.methods.has(ctx.request.method) || (c.cache_control && (cc['no-store'] || cc['no-cache']))) {
      scratch[STATE] = { key: null, status: 'Bypass' }
      return
    }
    const key = cacheKey(ctx)
    const res = c.dict.get(key)
    if (!res) {
      if (c.cache_control && cc['only-if-cached']) return ctx.exit(504, undefined, undefined, 'proxy-cache.only-if-cached')
      scratch[STATE] = { key, status: 'Miss' }
      return
    }
    if (res.version !== CACHE_VERSION) {
      c.dict.delete(key)
      scratch[STATE] = { key, status: 'Bypass' }
      return
    }
    const now = nowSeconds()
    if (stale(c, cc, res, now)) {
      scratch[STATE] = { key, status: 'Refresh' }
      return
    }
    const headers: Record<string, string | string[]> = {}
    for (const k in res.headers) if (!k.includes('ratelimit-remaining')) headers[k] = res.headers[k]
    const debug = ctx.request.headers['kong-debug'] !== undefined
    if (debug || c.response_headers.age) headers.age = String(now - res.timestamp)
    if (debug || c.response_headers['X-Cache-Status']) headers['x-cache-status'] = 'Hit'
    if (debug || c.response_headers['X-Cache-Key']) headers['x-cache-key'] = key
    return ctx.exit(res.status, res.body, headers, 'proxy-cache.hit')
  },

  headerFilter(ctx, res) {
    const st = (ctx.shared as Scratch)[STATE]
    if (!st) return
    const c = ctx.config
    const debug = ctx.request.headers['kong-debug'] !== undefined
    let status = st.status
    if (st.key !== null && status !== 'Bypass' && !res.fromGateway) {
      const cc = parseDirectives(res.headers['cache-control'])
      const now = nowSeconds()
      const ttl = c.cache_control ? resourceTtl(cc, res.headers.expires, now) : c.cache_ttl
      const cacheable = c.codes.has(res.status) && contentTypeMatches(c.types, res.headers['content-type'])
        && !(c.cache_control && (cc.private || cc['no-store'] || cc['no-cache'] || ttl <= 0))
      if (cacheable) {
        const headers: Record<string, string | string[]> = {}
        for (const k in res.headers) if (!NOT_REPLAYED.has(k)) headers[k] = res.headers[k]
        st.store = { status: res.status, headers, ttl, chunks: [], size: 0 }
      } else status = 'Bypass'
    }
    if (st.key !== null && (debug || c.response_headers['X-Cache-Key'])) res.headers['x-cache-key'] = st.key
    if (debug || c.response_headers['X-Cache-Status']) res.headers['x-cache-status'] = status
  },

  bodyFilter(ctx, chunk, last) {
    const st = (ctx.shared as Scratch)[STATE]
    const s = st?.store
    if (!s) return chunk
    const c = ctx.config
    if (chunk.length) {
      s.size += chunk.length
      // larger than the whole dictionary: it could never be stored, stop holding it
      if (s.size > c.dict.capacity) st!.store = null
      else s.chunks.push(chunk)
    }
    if (last && st!.store) {
      const entry: CachedResponse = { status: s.status, headers: s.headers, body: s.chunks.length === 1 ? s.chunks[0] : Buffer.concat(s.chunks), timestamp: nowSeconds(), ttl: s.ttl, version: CACHE_VERSION }
      const storeTtl = c.storage_ttl ?? (c.cache_control ? s.ttl : c.cache_ttl)
      if (!c.dict.set(st!.key!, entry, storeTtl)) ctx.log.warn('proxy-cache: response larger than the dictionary, not stored')
      st!.store = null
    }
    return chunk.length || !last ? chunk : EMPTY
  },
}
