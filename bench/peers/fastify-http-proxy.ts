// Peer gateway for pnpm bench: @fastify/http-proxy with its defaults, routing /plain/* to the echo upstream (prefix stripped, as the Postern row).
import proxy from '@fastify/http-proxy'
import Fastify from 'fastify'

const [listenPort = '0', upstream = 'http://127.0.0.1:9000'] = process.argv.slice(2)
const app = Fastify({ logger: false })
await app.register(proxy, { upstream, prefix: '/plain' })

// Exit normally on SIGTERM so that `node --cpu-prof` (BENCH_CPU_PROF) writes its profile.
process.on('SIGTERM', () => process.exit(0))

await app.listen({ port: Number(listenPort), host: '127.0.0.1' })
const address = app.server.address()
process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : listenPort}\n`)
