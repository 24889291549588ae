// The bench's knobs (BENCH_<NAME> or --<name>=<value>), the run mode (--soak, --instructions) and core pinning, shared by run.ts and soak.ts.
import { spawnSync } from 'node:child_process'
import { availableParallelism, cpus, loadavg, release } from 'node:os'
import { loadGenVersion } from './load.ts'
import { hasCommand } from './procs.ts'

/** Each knob is BENCH_<NAME> in the environment or --<name>=<value> on the command line (the flag wins). */
export function option(name: string, fallback: string): string {
  const flag = process.argv.find((a) => a.startsWith(`--${name}=`))
  if (flag) return flag.slice(name.length + 3)
  return process.env[`BENCH_${name.toUpperCase().replace(/-/g, '_')}`] ?? fallback
}
export const int = (name: string, fallback: number) => {
  const v = Number(option(name, String(fallback)))
  if (!Number.isInteger(v) || v < 0) throw new Error(`--${name} must be a non-negative integer`)
  return v
}

export const opts = {
  connections: int('connections', 50),
  durationSec: int('duration', 3),
  rounds: int('rounds', 5),
  warmupSec: int('warmup', 3),
  /** Unmeasured seconds of load right before every measured run (both sides of a same-moment pair at once). */
  runWarmupSec: int('run-warmup', 1),
  routes: int('routes', 10_000),
  /** Consumers on the large gateway, each with one key-auth and one jwt credential. */
  consumers: int('consumers', 10_000),
  smallRoutes: 10,
  changes: int('changes', 100),
  changeGapMs: int('change-gap', 50),
  changePollMs: int('change-poll', 1),
  changeTimeoutMs: int('change-timeout', 5000),
  /** Open-loop phase: fixed request rate (0 = skip), seconds per row, which rows (regex over row names). */
  rate: int('rate', 5000),
  openDurationSec: int('open-duration', 10),
  openOnly: option('open-only', '^(bare undici proxy|postern no plugins|@fastify/http-proxy|fast-gateway)$'),
  /** Cold start from the config cache of the large gateway (0 = skip). */
  coldStart: int('cold-start', 1),
  /** Stores whose admin write rows run (writes/s and write → served at `routes`); empty: none. */
  storeWrites: option('store-writes', 'sqlite,postgres'),
  storeWriteCount: int('store-write-count', 500),
  /** Soak mode (--soak): minutes of full load on the large gateway, seconds between memory samples. */
  soak: process.argv.includes('--soak') || option('soak', '') === '1',
  soakMinutes: int('soak-minutes', 10),
  soakIntervalSec: int('soak-interval', 30),
  /** Instructions mode (--instructions): instructions per request under callgrind (instructions.ts; BENCH_INSTR_* knobs there). */
  instructions: process.argv.includes('--instructions') || option('instructions', '') === '1',
  only: option('only', ''),
  loadgen: option('loadgen', ''),
  pin: option('pin', 'auto'),
  loadCore: option('load-core', '1'),
  sutCore: option('sut-core', '0'),
  /** Where the echo upstream runs: `sut` (with the proxy under test) or `load` (with the load generator). */
  upstreamCore: option('upstream-core', 'load'),
  cpuProf: option('cpu-prof', ''),
  /** 1: the proxies (Postern's, the reference, the peers) write perf maps (`--perf-basic-prof`) for `perf record`. */
  perfMap: option('perf-map', '') === '1',
  maxForeignPct: int('max-foreign', 10),
  retries: int('retries', 3),
  extra: option('extra', ''),
  postern: option('postern', 'auto'),
}

export const CORES = availableParallelism() // read before decidePinning() narrows this process to one core
export const LOAD_AT_START = loadavg().map((x) => Math.round(x * 100) / 100)
export const log = (msg: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`)

export interface Pinning {
  load: string | null
  sut: string | null
  /** the echo upstream's core */
  upstream: string | null
  text: string
}

/** Load on one core, data path (proxies + upstream) on the other; the control plane and this driver sit with the load. */
export function decidePinning(): Pinning {
  if (opts.pin === 'off') return { load: null, sut: null, upstream: null, text: 'off (BENCH_PIN=off)' }
  if (!hasCommand('taskset')) return { load: null, sut: null, upstream: null, text: 'none (taskset not installed)' }
  if (CORES < 2) return { load: null, sut: null, upstream: null, text: 'none (one core)' }
  spawnSync('taskset', ['-a', '-p', '-c', opts.loadCore, String(process.pid)], { stdio: 'ignore' }) // -a: libuv and V8 threads too
  if (opts.upstreamCore === 'load') {
    return { load: opts.loadCore, sut: opts.sutCore, upstream: opts.loadCore, text: `load generator + echo upstream + admin + driver on core ${opts.loadCore}; proxy under test on core ${opts.sutCore}` }
  }
  return { load: opts.loadCore, sut: opts.sutCore, upstream: opts.sutCore, text: `load generator + admin + driver on core ${opts.loadCore}; proxy under test + echo upstream on core ${opts.sutCore}` }
}

/** Versions and load for the report header. */
export function machineInfo(loadGenerator: string, pinning: string): Record<string, unknown> {
  const v = (cmd: string, args: string[]) => {
    const r = spawnSync(cmd, args, { encoding: 'utf8' })
    return `${r.stdout ?? ''}${r.stderr ?? ''}`.split('\n')[0].trim() || null
  }
  return {
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: CORES,
    os: `${process.platform} ${release()}`,
    loadGenerator: loadGenerator === 'wrk' ? (v('wrk', ['-v'])?.match(/^wrk \S+/)?.[0] ?? 'wrk') : loadGenVersion('autocannon'),
    nginx: hasCommand('nginx') ? v('nginx', ['-v']) : null,
    pinning,
    loadAverageAtStart: LOAD_AT_START,
    loadAverageAtEnd: loadavg().map((x) => Math.round(x * 100) / 100),
  }
}
