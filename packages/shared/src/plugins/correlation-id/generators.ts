// The three id generators of Kong's correlation-id: uuid, uuid#counter (one uuid per worker plus a
// counter) and tracker (server address, port, pid, connection serial, request on it, time).
import { randomUUID } from 'node:crypto'
import type { PdkRequest } from '../../pdk/index.ts'

// One Node process is one Kong worker here: the worker uuid and counter live as long as the process.
const WORKER_UUID = randomUUID()
let counter = 0

export type Generator = (req: PdkRequest) => string

export const GENERATORS: Record<'uuid' | 'uuid#counter' | 'tracker', Generator> = {
  uuid: () => randomUUID(),
  'uuid#counter': () => `${WORKER_UUID}#${++counter}`,
  tracker: (req) => {
    const c = req.connection()
    return `${c.serverAddr}-${req.port}-${process.pid}-${c.serial}-${c.requests}-${(Date.now() / 1000).toFixed(3)}`
  },
}
