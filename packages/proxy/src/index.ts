// Starts the data plane: loads the catalogue, follows the admin (or serves its cached config when the
// admin is away), rebuilds RuntimeConfig off the request path, and serves traffic on node:http.
import { createServer, type Server } from 'node:http'
import { createServer as createTlsServer } from 'node:https'
import { loadTlsMaterial } from './runtime/tls.ts'
import type { SecureContext } from 'node:tls'
import { randomUUID } from 'node:crypto'
import { createLogger, loadCatalogue, preparePrefix, readClusterToken, Registry, usesHealthchecks, type Broadcast, type ChangeEvent, type Healthchecks, type Settings } from '@postern/shared'
import { ProxyMetrics } from './status/metrics.ts'
import { AccessLog } from './status/access-log.ts'
import { ConfigState } from './runtime/state.ts'
import { RuntimeConfig } from './runtime/runtime.ts'
import { loadConfigCache } from './runtime/cache-file.ts'
import { pinTickObjectShape } from './runtime/tick-shape.ts'
import { ConfigPersistence } from './runtime/persistence.ts'
import { TtlCache, httpClient } from './runtime/services.ts'
import { openRuntimeStore } from './runtime/open-store.ts'
import { ClusterSubscriber } from './cluster/subscriber.ts'
import { startStatusServer } from './status/server.ts'
import { createProxyHandler } from './pipeline/handler.ts'
import { clientAddress } from './pipeline/real-ip.ts'
import { MAX_HEADER_SIZE, onClientError, onConnectMethod } from './pipeline/request-check.ts'
import { UpstreamPools } from './upstream/pools.ts'
import { BalancerRegistry } from './balancer/registry.ts'
import { handleUpgrades } from './protocols/websocket.ts'
import { createHttp2Listener, http2Handler } from './protocols/http2.ts'
import { startPrimary } from './workers/primary.ts'
import { isWorker, WorkerFeed } from './workers/worker.ts'

/** The Kong release whose behaviour Postern follows (kong_node_info's version label). */
const POSTERN_KONG_VERSION = '3.9.3'

export interface ProxyHandle {
  proxyPorts: number[]
  /** Ports of the `ssl` listeners. */
  tlsPorts: number[]
  statusPort: number
  runtime(): RuntimeConfig
  close(): Promise<void>
}

export async function startProxy(settings: Settings): Promise<ProxyHandle> {
  // workers: the primary follows the admin and forks; each worker runs the rest of this function
  if (settings.workerProcesses > 1 && !isWorker) return startPrimary(settings)
  if (isWorker) settings = { ...settings, statusListen: [] } // the primary answers /status for all workers
  pinTickObjectShape() // keeps node's nextTick on V8's fast path under load (runtime/tick-shape.ts)
  const log = createLogger('proxy', settings.logLevel)
  preparePrefix(settings.prefix, log)
  const catalogue = await loadCatalogue(settings.plugins)
  const runtimeOnly = new Set(catalogue.entities.filter((e) => !e.exportable).map((e) => e.name))
  const state = new ConfigState(runtimeOnly)
  let current = new RuntimeConfig(state, catalogue, log)
  const cache = new TtlCache()
  const nodeId = randomUUID()
  const registry = new Registry()
  const conns = { active: 0, total: 0 }
  const metrics = new ProxyMetrics(registry, nodeId, POSTERN_KONG_VERSION, () => conns)
  // balancers and their health live beside the RuntimeConfig, so a config swap keeps unchanged targets' health
  // kong_upstream_target_health from the balancers' view, while a prometheus instance enables it
  metrics.upstreamHealth(() => {
    const enabled = [...current.table('plugins').values()].some((p) => p.enabled && p.name === 'prometheus' && (p.config as { upstream_health_metrics?: boolean })?.upstream_health_metrics)
    if (!enabled) return { enabled, targets: [] }
    const upstreams = current.table('upstreams')
    const targets: { upstream: string; target: string; address: string; state: string }[] = []
    for (const [id, byTarget] of Object.entries(balancers.snapshot())) {
      const u = upstreams.get(id)
      if (!u) continue
      const checked = usesHealthchecks(u.healthchecks as Healthchecks)
      for (const [target, th] of Object.entries(byTarget)) {
        if (th.dns !== 'OK' || th.addresses.length === 0) targets.push({ upstream: u.name, target, address: '', state: 'dns_error' })
        for (const a of th.addresses) targets.push({ upstream: u.name, target, address: `${a.ip}:${a.port}`, state: checked ? a.health.toLowerCase() : 'healthchecks_off' })
      }
    }
    return { enabled, targets }
  })
  // a worker's balancers follow the node's health (the primary runs the active checks and shares every flip);
  // a single process checks and reports by itself
  const balancers = new BalancerRegistry({
    dnsServers: settings.dnsResolver, log,
    report: (u) => (subscriber instanceof ClusterSubscriber ? subscriber.reportHealth(u) : undefined),
    activeChecks: !isWorker,
    flipped: isWorker ? (f) => (subscriber as WorkerFeed).flipped(f) : undefined,
  })

  // Rebuilds are coalesced: a burst of events yields one new RuntimeConfig, swapped in one assignment.
  let scheduled = false
  // eslint-disable-next-line prefer-const
  let subscriber: ClusterSubscriber | WorkerFeed | undefined
  const rebuild = () => {
    scheduled = false
    if (state.version === current.version && state.hash === current.hash) return
    try {
      const t0 = performance.now()
      current = new RuntimeConfig(state, catalogue, log, current)
      metrics.applied(current.version, (performance.now() - t0) / 1000)
      balancers.sync(current)
      log.debug('runtime rebuilt', { version: current.version, routes: current.router.size, ms: Math.round((performance.now() - t0) * 10) / 10 })
    } catch (e) {
      log.error('failed to build the runtime configuration; keeping the previous one', { error: String(e) })
      return
    }
    subscriber?.report(current.version, current.hash)
  }
  // the primary persists the configuration for every worker; a single process does it itself
  const persistence = isWorker ? null : new ConfigPersistence(settings.prefix, state, runtimeOnly, log)
  const onChange = (events?: ChangeEvent[]) => {
    persistence?.changed(events)
    if (scheduled) return
    scheduled = true
    setImmediate(rebuild)
  }

  // a plugin's broadcast (proxy-cache purge) goes to that plugin; one it does not know is ignored
  const onBroadcast = (b: Broadcast) => {
    try {
      catalogue.plugins.get(b.plugin)?.onBroadcast?.(b.data)
    } catch (e) {
      log.error('plugin failed handling a broadcast', { plugin: b.plugin, error: String(e) })
    }
  }
  // the token: KONG_CLUSTER_TOKEN, else the one the admin of the same prefix generated (read at each connect)
  const token = () => (!settings.clusterAuth ? undefined : (settings.clusterToken ?? readClusterToken(settings.clusterTokenFile)))
  subscriber = isWorker
    ? new WorkerFeed({
        state, log, onChange, routes: () => current.router.size, onBroadcast, metrics: () => registry.expose(),
        onHealth: (o) => balancers.override(o, true),
        onFlip: (f) => balancers.setHealth(f),
      })
    : new ClusterSubscriber({
        controlPlanes: settings.clusterControlPlanes, token, nodeId, state, log, onChange, onBroadcast,
        onHealth: (o) => balancers.override(o),
        onConnect: () => balancers.scheduleReport(),
      })
  const cached = isWorker ? false : loadConfigCache(settings.prefix, state)
  // With a cached configuration the proxy serves it at once (as Kong's data plane does) and follows the admin
  // in the background; without one it waits briefly for the admin's first snapshot before listening.
  const first = subscriber.start()
  const warnOffline = (online: boolean) => {
    if (online) return
    if (cached) log.warn('control plane unreachable; serving the cached configuration', { version: state.version })
    else log.warn('control plane unreachable and no cached configuration; serving an empty configuration until it answers')
  }
  if (cached && !isWorker) void first.then(warnOffline)
  else warnOffline(await first)
  rebuild()

  const pools = new UpstreamPools()
  const store = openRuntimeStore(settings, catalogue, { log })
  const services = { cache, store, http: httpClient, log, metrics: registry }
  const accessLog = settings.proxyAccessLog ? new AccessLog(settings.proxyAccessLog, settings.prefix) : undefined
  const address = clientAddress(settings)
  const servers: Server[] = []
  const proxyPorts: number[] = []
  const tlsPorts: number[] = []
  let tls: { cert: Buffer; key: Buffer } | undefined
  for (const l of settings.proxyListen) {
    // Strict parser (no insecureHTTPParser). nginx's limits and its Host rules are checked per request
    // (checkRequest, which answers in Kong's format where node would send an empty 400); maxHeaderSize only
    // bounds what node buffers before that.
    const opts = { keepAliveTimeout: 60_000, requestTimeout: 0, headersTimeout: 60_000, maxHeaderSize: MAX_HEADER_SIZE, requireHostHeader: false }
    if (l.ssl) tls ??= loadTlsMaterial(settings)
    // certificates by SNI from the current configuration; the listener's own certificate is the default
    const SNICallback = (name: string, cb: (err: Error | null, ctx?: SecureContext) => void) => cb(null, current.certificates.lookup(name))
    const server: Server = l.http2 ? createHttp2Listener({ ssl: l.ssl, ...tls, SNICallback }) : l.ssl ? createTlsServer({ ...opts, ...tls, SNICallback }) : createServer(opts)
    const port = await new Promise<number>((resolve, reject) => {
      server.once('error', reject)
      server.listen(l.port, l.host, () => resolve((server.address() as any).port))
    })
    server.on('clientError', onClientError)
    server.on('connect', onConnectMethod)
    const handler = createProxyHandler({ runtime: () => current, pools, balancers, services, address, metrics, accessLog }, { port, scheme: l.ssl ? 'https' : 'http' })
    server.on('request', l.http2 ? http2Handler(handler) : handler)
    handleUpgrades(server, handler)
    if (subscriber instanceof WorkerFeed) subscriber.watch(server)
    server.on(l.ssl ? 'secureConnection' : 'connection', (socket) => {
      conns.active++
      conns.total++
      socket.once('close', () => conns.active--)
    })
    servers.push(server)
    ;(l.ssl ? tlsPorts : proxyPorts).push(port)
  }
  if (subscriber instanceof WorkerFeed) subscriber.listening(proxyPorts, tlsPorts)
  let statusPort = 0
  const statusServers: Server[] = []
  for (const l of settings.statusListen) {
    const s = await startStatusServer(l.host, l.port, {
      version: () => current.version,
      hash: () => current.hash,
      connected: () => subscriber!.connected,
      routes: () => current.router.size,
      metrics: () => registry.expose(),
    })
    statusServers.push(s.server)
    statusPort = s.port
  }
  log.info('proxy started', { proxy: proxyPorts, status: statusPort, version: current.version })
  return {
    proxyPorts,
    tlsPorts,
    statusPort,
    runtime: () => current,
    async close() {
      subscriber!.stop()
      persistence?.flush()
      await Promise.all(
        [...servers, ...statusServers].map(
          (s) =>
            new Promise((r) => {
              s.close(r)
              s.closeIdleConnections?.()
              setTimeout(() => s.closeAllConnections?.(), 2000).unref()
            }),
        ),
      )
      balancers.close()
      await pools.close()
      accessLog?.close()
      await store.close()
    },
  }
}
