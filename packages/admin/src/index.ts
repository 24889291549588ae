// Starts the control plane: database, store, admin API listener(s) and the cluster channel.
import { serve } from '@hono/node-server'
import { EventEmitter } from 'eventemitter3'
import { randomUUID } from 'node:crypto'
import type { Server } from 'node:http'
import { createLogger, ensureClusterToken, loadCatalogue, preparePrefix, type Settings } from '@postern/shared'
import { openDatabase } from './store/database.ts'
import { Store } from './store/store.ts'
import { createAdminApp } from './app.ts'
import { ClusterPublisher } from './cluster/publisher.ts'
import { registerProxyCacheEndpoints } from './endpoints/proxy-cache.ts'
import { answerUnknownMethods } from './unknown-method.ts'
import { registerConfigEndpoints, type DeclarativeState } from './endpoints/config.ts'
import { readDeclarativeFile, replaceAll } from './declarative/load.ts'
import { startAuditPurge } from './audit/trail.ts'
import { startGui } from './gui/server.ts'

export interface AdminHandle {
  adminPorts: number[]
  guiPorts: number[]
  clusterPort: number
  store: Store
  close(): Promise<void>
}

const isLoopback = (h: string) => h === '127.0.0.1' || h === '::1' || h === 'localhost'

/** An admin without authentication is only safe on loopback (Kong OSS's default); beyond it, say so and stop. */
function refuseInsecureListen(settings: Settings): void {
  if (settings.adminToken || settings.adminInsecure) return
  const exposed = [...settings.adminListen, ...settings.adminGuiListen].filter((l) => !isLoopback(l.host))
  if (!exposed.length) return
  const where = exposed.map((l) => `${l.host}:${l.port}`).join(', ')
  throw Object.assign(
    new Error(`the admin API would listen on ${where} without authentication: set POSTERN_ADMIN_TOKEN to require a token, or POSTERN_ADMIN_INSECURE=on to allow it anyway`),
    { code: 'POSTERN_ADMIN_INSECURE' },
  )
}

export async function startAdmin(settings: Settings): Promise<AdminHandle> {
  const log = createLogger('admin', settings.logLevel)
  const catalogue = await loadCatalogue(settings.plugins)
  // Secure by default: without KONG_CLUSTER_TOKEN a random token is generated into the prefix (proxies of
  // the same prefix read it); only POSTERN_CLUSTER_AUTH=off turns authentication off, and only on loopback.
  if (!settings.clusterAuth) {
    for (const l of settings.clusterListen) {
      if (!isLoopback(l.host)) throw new Error('POSTERN_CLUSTER_AUTH=off is allowed only when KONG_CLUSTER_LISTEN is a loopback address')
    }
    log.warn('cluster channel authentication is off (POSTERN_CLUSTER_AUTH=off)')
  }
  preparePrefix(settings.prefix, log)
  refuseInsecureListen(settings)
  const clusterToken = settings.clusterAuth ? (settings.clusterToken ?? ensureClusterToken(settings.clusterTokenFile)) : undefined
  // DB-less: a broken file stops start-up before the database is touched
  const readOnly = settings.database === 'off'
  const declarativeConfig = readOnly && settings.declarativeConfig ? readDeclarativeFile(settings.declarativeConfig, catalogue) : undefined
  const db = await openDatabase(settings)
  const bus = new EventEmitter()
  const store = new Store(db, catalogue, bus)
  await store.start()
  const declarative: DeclarativeState = { hash: null }
  if (declarativeConfig) {
    await replaceAll(store, catalogue, declarativeConfig)
    declarative.hash = declarativeConfig.hash
  }
  const stopAuditPurge = startAuditPurge(store, settings.auditRetention)
  const publisher = new ClusterPublisher(store, bus, log, clusterToken)
  const deps = { store, catalogue, settings, readOnly, nodeId: randomUUID(), startedAt: Date.now(), nodes: () => [...publisher.nodes.values()], cluster: publisher, bus }
  const app = createAdminApp(deps, log, (a) => {
    registerConfigEndpoints(a, deps, declarative)
    registerProxyCacheEndpoints(a, deps, (b) => bus.emit('broadcast', b))
  })
  const servers: Server[] = []
  const adminPorts: number[] = []
  for (const l of settings.adminListen) {
    const port = await new Promise<number>((resolve, reject) => {
      const s = serve({ fetch: app.fetch, hostname: l.host, port: l.port }, (info) => resolve(info.port)) as Server
      s.once('error', reject)
      answerUnknownMethods(s, app.fetch)
      servers.push(s)
    })
    adminPorts.push(port)
  }
  const gui = await startGui(settings, adminPorts, log)
  servers.push(...gui.servers)
  let clusterPort = 0
  for (const l of settings.clusterListen) clusterPort = await publisher.listen(l.host, l.port)
  log.info('admin started', { admin: adminPorts, cluster: clusterPort, prefix: settings.prefix })
  return {
    adminPorts,
    guiPorts: gui.ports,
    clusterPort,
    store,
    async close() {
      stopAuditPurge()
      await publisher.close()
      await Promise.all(servers.map((s) => new Promise((r) => { s.close(r); (s as any).closeAllConnections?.() })))
      await store.feed.stop()
      await db.close()
    },
  }
}
