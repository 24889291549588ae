// The proxy primary when KONG_NGINX_WORKER_PROCESSES > 1: one cluster-channel subscriber and one config
// cache for the node, N forked workers sharing the listeners (node:cluster), each fed the changes over IPC
// and building its own RuntimeConfig; /status aggregates the workers; a dead worker is replaced.
import cluster, { type Worker } from 'node:cluster'
import { randomUUID } from 'node:crypto'
import type { Server } from 'node:http'
import { createLogger, loadCatalogue, readClusterToken, type ChangeEvent, type Settings } from '@postern/shared'
import { mergeExpositions } from './merge-metrics.ts'
import { ConfigState } from '../runtime/state.ts'
import { loadConfigCache } from '../runtime/cache-file.ts'
import { ConfigPersistence } from '../runtime/persistence.ts'
import { ClusterSubscriber } from '../cluster/subscriber.ts'
import { startStatusServer } from '../status/server.ts'
import { HealthHub } from './health-hub.ts'
import type { ToPrimary, ToWorker, WorkerStatus } from './messages.ts'

export interface PrimaryHandle {
  proxyPorts: number[]
  tlsPorts: number[]
  statusPort: number
  runtime(): never
  close(): Promise<void>
}

export async function startPrimary(settings: Settings): Promise<PrimaryHandle> {
  const log = createLogger('proxy', settings.logLevel)
  const catalogue = await loadCatalogue(settings.plugins)
  const runtimeOnly = new Set(catalogue.entities.filter((e) => !e.exportable).map((e) => e.name))
  const state = new ConfigState(runtimeOnly)
  const status = new Map<number, WorkerStatus>()
  let stopping = false

  const broadcast = (m: ToWorker) => {
    for (const w of Object.values(cluster.workers ?? {})) if (w?.isConnected()) w.send(m)
  }
  // the admin hears one report per node: the version every worker has applied
  const reportApplied = () => {
    const all = [...status.values()]
    if (all.length === 0) return
    const min = all.reduce((a, b) => (b.configuration_version < a.configuration_version ? b : a))
    subscriber.report(min.configuration_version, min.configuration_hash)
  }

  // the same persistence as the single process (runtime/persistence.ts)
  const persistence = new ConfigPersistence(settings.prefix, state, runtimeOnly, log)
  const onChange = (events?: ChangeEvent[]) => {
    const connected = subscriber?.connected ?? false
    persistence.changed(events)
    health.changed()
    if (!events) broadcast({ t: 'snapshot', snapshot: state.toSnapshot(), connected })
    else broadcast({ t: 'events', events, connected })
  }
  // the token: KONG_CLUSTER_TOKEN, else the one the admin of the same prefix generated (read at each connect)
  const token = () => (!settings.clusterAuth ? undefined : (settings.clusterToken ?? readClusterToken(settings.clusterTokenFile)))
  const subscriber: ClusterSubscriber = new ClusterSubscriber({
    controlPlanes: settings.clusterControlPlanes, token, nodeId: randomUUID(), state, log, onChange,
    onBroadcast: (b) => broadcast({ t: 'broadcast', broadcast: b, connected: subscriber.connected }),
    onHealth: (o) => health.admin(o),
    onConnect: () => health.report(),
  })
  // health checks run here, once for the node; the workers' balancers follow this hub's view
  const health = new HealthHub({ settings, log, state, broadcast, connected: () => subscriber.connected, report: (u) => subscriber.reportHealth(u) })
  loadConfigCache(settings.prefix, state)
  health.changed()
  if (!(await subscriber.start())) log.warn('control plane unreachable; workers serve the cached configuration', { version: state.version })

  // /metrics: every worker's registry, summed into one exposition (a node's metrics, as Kong's shared dict)
  const metricReplies = new Map<number, (worker: number, text: string) => void>()
  let metricRequest = 0
  const collectMetrics = async (): Promise<string> => {
    const id = ++metricRequest
    const live = Object.values(cluster.workers ?? {}).filter((w) => w?.isConnected())
    const texts: string[] = []
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 2000)
      metricReplies.set(id, (_, text) => {
        texts.push(text)
        if (texts.length >= live.length) {
          clearTimeout(timer)
          resolve()
        }
      })
      for (const w of live) w!.send({ t: 'metrics', id, connected: subscriber.connected } satisfies ToWorker)
      if (!live.length) resolve()
    })
    metricReplies.delete(id)
    return mergeExpositions(texts)
  }

  // Workers run this same program; cluster shares their listeners (round-robin accept in this process).
  let firstPorts: { proxyPorts: number[]; tlsPorts: number[] } | undefined
  let onFirstListening: () => void = () => {}
  const fork = (): Worker => {
    const w = cluster.fork({ POSTERN_WORKER: '1' })
    w.on('message', (m: ToPrimary) => {
      if (m.t === 'hello') {
        w.send({ t: 'snapshot', snapshot: state.toSnapshot(), connected: subscriber.connected } satisfies ToWorker)
        // the node's health before its first request: its balancers pick it up by address as they are built
        health.welcome(w)
      }
      else if (m.t === 'listening') {
        firstPorts ??= m
        onFirstListening()
        // again once its balancers exist: an address still being resolved at its first build loses what it
        // was told (the build forgets addresses it does not have yet)
        health.welcome(w)
      } else if (m.t === 'flip') {
        health.fromWorker(m.flip)
      } else if (m.t === 'metrics') {
        metricReplies.get(m.id)?.(w.id, m.text)
      } else if (m.t === 'applied') {
        status.set(w.id, { id: w.id, pid: w.process.pid!, configuration_version: m.version, configuration_hash: m.hash, routes: m.routes, requests: m.requests })
        reportApplied()
      }
    })
    return w
  }
  const born = new Map<number, number>()
  cluster.on('fork', (w) => born.set(w.id, Date.now()))
  cluster.on('exit', (w, code, signal) => {
    status.delete(w.id)
    const age = Date.now() - (born.get(w.id) ?? 0)
    born.delete(w.id)
    if (stopping) return
    log.error('proxy worker died; starting a new one', { pid: w.process.pid, code, signal })
    // a worker that dies as it starts (a listener it cannot open) is retried slowly, not in a tight loop
    if (age < 2000) setTimeout(() => !stopping && fork(), 1000)
    else fork()
  })

  // Port 0 is resolved once by the primary for the whole cluster, so every worker reports the same ports.
  const listening = new Promise<void>((resolve, reject) => {
    onFirstListening = resolve
    setTimeout(() => reject(new Error('no proxy worker could open the listeners within 30 s')), 30_000).unref()
  })
  for (let i = 0; i < settings.workerProcesses; i++) fork()
  try {
    await listening
  } catch (e) {
    stopping = true
    subscriber.stop()
    health.close()
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGKILL')
    throw e
  }
  // wait until every worker applied the current configuration before declaring the node ready
  const until = Date.now() + 20_000
  while (Date.now() < until && (status.size < settings.workerProcesses || [...status.values()].some((s) => s.configuration_version < state.version))) {
    await new Promise((r) => setTimeout(r, 10))
  }

  const workers = () => [...status.values()].sort((a, b) => a.id - b.id)
  const minVersion = () => workers().reduce((v, s) => Math.min(v, s.configuration_version), workers().length ? Infinity : 0)
  let statusPort = 0
  const statusServers: Server[] = []
  for (const l of settings.statusListen) {
    const s = await startStatusServer(l.host, l.port, {
      // the node serves a version once every worker applied it
      version: minVersion,
      hash: () => workers().find((w) => w.configuration_version === minVersion())?.configuration_hash ?? state.hash,
      connected: () => subscriber.connected,
      routes: () => workers()[0]?.routes ?? 0,
      workers,
      metrics: () => collectMetrics(),
    })
    statusServers.push(s.server)
    statusPort = s.port
  }
  log.info('proxy started', { workers: settings.workerProcesses, proxy: firstPorts!.proxyPorts, status: statusPort, version: state.version })
  return {
    proxyPorts: firstPorts!.proxyPorts,
    tlsPorts: firstPorts!.tlsPorts,
    statusPort,
    runtime(): never {
      throw new Error('the configuration lives in the workers')
    },
    async close() {
      stopping = true
      subscriber.stop()
      health.close()
      persistence.flush()
      // each worker drains its connections on SIGTERM (its own onStop), then exits
      await Promise.all(
        Object.values(cluster.workers ?? {}).map(
          (w) =>
            new Promise<void>((r) => {
              if (!w || w.isDead()) return r()
              w.once('exit', () => r())
              w.process.kill('SIGTERM')
            }),
        ),
      )
      await Promise.all(statusServers.map((s) => new Promise((r) => s.close(r))))
    },
  }
}
