// Peer gateway for pnpm bench: fast-gateway (restana + fast-proxy-lite) with its defaults, routing /plain/* to the echo upstream (prefix stripped).
import type { AddressInfo } from 'node:net'
import gateway from 'fast-gateway'

const [listenPort = '0', upstream = 'http://127.0.0.1:9000'] = process.argv.slice(2)
const server = gateway({ routes: [{ prefix: '/plain', target: upstream }] })

// Exit normally on SIGTERM so that `node --cpu-prof` (BENCH_CPU_PROF) writes its profile.
process.on('SIGTERM', () => process.exit(0))

const http = await server.start(Number(listenPort), '127.0.0.1')
process.stdout.write(`listening ${(http.address() as AddressInfo).port}\n`)
