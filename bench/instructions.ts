// `pnpm bench --instructions`: instructions per request under valgrind's callgrind for the bare undici proxy, the
// peers and Postern's small gateway (no plugins, key-auth, jwt, phantom-token), each process counted alone over an
// exact number of requests once warm; ratios to the same baselines as the timed rows, and where the difference goes.
import { Pool } from 'undici'
import { BenchAdmin, waitForVersion } from './admin.ts'
import { breakdown, callgrindWrap, countDuring, COUNTED_NODE_FLAGS, hasCallgrind, keepDump, KIND_NAMES, removePerfMaps, type Breakdown } from './callgrind.ts'
import { preflight } from './fill.ts'
import { decidePinning, int, log, machineInfo, option, opts, type Pinning } from './options.ts'
import { posternEntry, startEcho, startGateway, startPeer, startReference, stop, tempDir, type Started } from './procs.ts'
import { median, writeResultFiles } from './report.ts'
import { SCENARIOS, uniqueOf, type Request, type Scenario, type Target } from './scenarios.ts'
import { PLUGIN_SCENARIOS } from './plugin-rows.ts'

const DEFAULT_ROWS = '^(bare undici proxy|@fastify/http-proxy|fast-gateway|postern no plugins|postern key-auth|postern jwt RS256|postern jwt ES256|postern phantom-token \\(cache hits\\))$'
const COUNTED: Target[] = ['reference', 'fastify-http-proxy', 'fast-gateway', 'postern-small']

export async function runInstructions(): Promise<void> {
  if (!hasCallgrind()) throw new Error('--instructions needs valgrind (apt-get install -y valgrind)')
  const startedAt = new Date().toISOString()
  const requests = int('instr-requests', 4000)
  const warm = int('instr-warm', 30000)
  const rounds = int('instr-rounds', 3)
  /** A directory for each row's last dump and its process's perf map, for `callgrind_annotate --tree=caller`. */
  const keep = option('instr-keep', '')
  const pin = decidePinning()
  const dir = tempDir('callgrind')
  const wrap = callgrindWrap(dir)
  const chosen = [...SCENARIOS, ...PLUGIN_SCENARIOS].filter((s) => new RegExp(opts.only || DEFAULT_ROWS, 'i').test(s.name))
  const notes: string[] = []
  for (const s of chosen.filter((x) => !COUNTED.includes(x.target))) notes.push(`${s.name}: not counted (only the bare proxy, the peers and the small gateway run under callgrind)`)
  const rows = chosen.filter((s) => COUNTED.includes(s.target))
  log(`instructions: ${rows.length} rows under callgrind, ${warm} warm-up requests each, ${rounds} rounds of ${requests} counted requests`)

  const echo = await startEcho(pin.upstream)
  const upstreamUrl = `http://127.0.0.1:${echo.port}`
  const postern = posternEntry(opts.postern)
  const counts = new Map<string, number[]>(rows.map((s) => [s.name, []]))
  const last = new Map<string, Breakdown>()
  const pids: number[] = []
  // Each counted process starts right before its rows and stops after them: a process that idles first can be
  // counted in another state (the bare undici proxy: 143 k instructions per request when loaded at once, 187-209 k
  // after three idle minutes, node's nextTick entries then going through V8's runtime, the trap that Postern's
  // runtime/tick-shape.ts pins; see bench/README).
  for (const target of COUNTED.filter((t) => rows.some((s) => s.target === t))) {
    const mine = rows.filter((s) => s.target === target)
    const started = await startCounted(target, pin, upstreamUrl, postern.entry, wrap, mine)
    pids.push(started.pid)
    for (const s of mine) await preflight(started.url, started.reqs.get(s.name)!)
    // each row in turn: warmed, then counted in back-to-back rounds, so each count sees the process in its
    // steady state
    for (const s of mine) {
      const req = started.reqs.get(s.name)!
      const send = (n: number) => exactly(started.url + req.path, req.headers ?? {}, n, opts.connections)
      log(`warm-up ${s.name}: ${warm} requests`)
      await send(warm)
      // one more batch uncounted: the first count after a warm-up still carries its compiles and GC (≈ 25 % more)
      await send(requests)
      for (let r = 0; r < rounds; r++) {
        const c = await countDuring(dir, started.pid, () => send(requests))
        counts.get(s.name)!.push(c.instructions / requests)
        if (r === rounds - 1) {
          last.set(s.name, breakdown(c.file, started.pid, requests))
          if (keep) keepDump(keep, s.name, c.file, started.pid)
        }
        log(`${s.name} round ${r + 1}: ${Math.round(c.instructions / requests).toLocaleString('en-US')} instructions per request`)
      }
    }
    await Promise.all(started.procs.map((p) => stop(p)))
  }
  removePerfMaps(pids)

  const result = {
    startedAt, finishedAt: new Date().toISOString(), machine: { ...machineInfo('undici Pool (exact request counts)', pin.text), postern: postern.note },
    options: { requests, warm, rounds, connections: opts.connections, nodeFlags: COUNTED_NODE_FLAGS },
    rows: rows.map((s) => ({ name: s.name, baseline: s.baseline, perRequest: counts.get(s.name)!, kinds: last.get(s.name)?.kinds })),
    notes,
  }
  const md = markdown(result, rows, counts, last)
  const files = writeResultFiles(startedAt, result, md, '-instructions')
  process.stdout.write(`${files.map((f) => `wrote ${f}`).join('\n')}\n\n`)
}

/** Starts one counted process under callgrind (for Postern: its small gateway, with every chosen row's route). */
async function startCounted(target: Target, pin: Pinning, upstreamUrl: string, entry: string, wrap: string[], mine: Scenario[]): Promise<{ pid: number; url: string; procs: Started[]; reqs: Map<string, Request> }> {
  const reqs = new Map<string, Request>(mine.map((s) => [s.name, s.request ?? { path: '/hello' }]))
  if (target === 'reference' || target === 'fastify-http-proxy' || target === 'fast-gateway') {
    const p = target === 'reference' ? await startReference(pin.sut, upstreamUrl, COUNTED_NODE_FLAGS, wrap) : await startPeer(target, pin.sut, upstreamUrl, COUNTED_NODE_FLAGS, wrap)
    return { pid: p.proc.pid!, url: `http://127.0.0.1:${p.port}`, procs: [p], reqs }
  }
  const gw = await startGateway('small', entry, { admin: pin.load, proxy: pin.sut }, COUNTED_NODE_FLAGS, {}, {}, [], wrap)
  const admin = new BenchAdmin(gw.adminUrl)
  for (const s of mine.filter((x) => x.setup)) reqs.set(s.name, await s.setup!({ admin, upstreamUrl, routeCount: 0, unique: uniqueOf(s) }))
  await waitForVersion(gw.statusUrl, admin.lastVersion, 120_000)
  await admin.close()
  return { pid: gw.proxy.proc.pid!, url: gw.proxyUrl, procs: [gw.proxy, gw.admin], reqs }
}

/** Sends exactly `n` GET requests over `connections` kept-alive connections; any non-2xx or error fails the run. */
async function exactly(url: string, headers: Record<string, string>, n: number, connections: number): Promise<void> {
  const u = new URL(url)
  const pool = new Pool(u.origin, { connections, pipelining: 1 })
  let sent = 0
  let bad = 0
  const one = async (): Promise<void> => {
    while (sent < n) {
      sent++
      const r = await pool.request({ method: 'GET', path: u.pathname + u.search, headers }).catch(() => null)
      if (r === null || r.statusCode >= 300) bad++
      await r?.body.dump()
    }
  }
  await Promise.all(Array.from({ length: connections }, one))
  await pool.close()
  if (bad > 0) throw new Error(`${url}: ${bad} of ${n} requests failed or were not 2xx`)
}

const fmt = (x: number) => Math.round(x).toLocaleString('en-US')

function markdown(result: { startedAt: string; machine: Record<string, unknown>; options: { requests: number; warm: number; rounds: number; connections: number }; notes: string[] }, rows: Scenario[], counts: Map<string, number[]>, last: Map<string, Breakdown>): string {
  const o = result.options
  const med = (name: string) => median(counts.get(name) ?? [])
  const ratio = (s: Scenario) => {
    // rounds of different rows do not run at the same moment (nor need to): the ratio of the medians
    return s.baseline && counts.has(s.baseline) ? med(s.name) / med(s.baseline) : NaN
  }
  const pairs = rows.filter((s) => s.baseline && counts.has(s.baseline))
  const lines = [
    `# pnpm bench --instructions — ${result.startedAt}`,
    '',
    `node ${result.machine.node} · postern: ${String(result.machine.postern)} · valgrind callgrind, node ${COUNTED_NODE_FLAGS.join(' ')} · pinning: ${String(result.machine.pinning)}`,
    `each process started right before its rows and stopped after them; rows one after another, each warmed with ${fmt(o.warm)} requests and then counted in ${o.rounds} back-to-back rounds of ${fmt(o.requests)} requests (${o.connections} kept-alive connections, exact counts); user-space instructions of the whole process, every thread; ratio = median ÷ the baseline's median`,
    '',
    '| row | instructions / request | rounds | ratio | baseline |',
    '|---|---:|---|---:|---|',
    ...rows.map((s) => `| ${s.name} | ${fmt(med(s.name))} | ${counts.get(s.name)!.map(fmt).join(' / ')} | ${Number.isNaN(ratio(s)) ? '' : `${ratio(s).toFixed(3)}×`} | ${s.baseline && counts.has(s.baseline) ? s.baseline : ''} |`),
    '',
    `## Where the instructions go (last round, per request, by the function that executes them)`,
    '',
    `| kind | ${rows.map((s) => s.name).join(' | ')} |`,
    `|---|${rows.map(() => '---:').join('|')}|`,
    ...KIND_NAMES.map((k) => `| ${k} | ${rows.map((s) => fmt(last.get(s.name)?.kinds[k] ?? NaN)).join(' | ')} |`),
    '',
  ]
  for (const s of pairs) {
    const a = last.get(s.baseline!)
    const b = last.get(s.name)
    if (!a || !b) continue
    const names = new Set([...a.functions.keys(), ...b.functions.keys()])
    const diff = [...names].map((n) => [n, (b.functions.get(n) ?? 0) - (a.functions.get(n) ?? 0)] as const).sort((x, y) => y[1] - x[1])
    lines.push(`### ${s.name} − ${s.baseline}: ${fmt(med(s.name) - med(s.baseline!))} per request; the largest differences by function`, '', '| function | difference | row | baseline |', '|---|---:|---:|---:|')
    for (const [n, d] of diff.slice(0, 15)) lines.push(`| \`${n.slice(0, 110).replace(/\|/g, '\\|')}\` | ${fmt(d)} | ${fmt(b.functions.get(n) ?? 0)} | ${fmt(a.functions.get(n) ?? 0)} |`)
    lines.push('')
  }
  lines.push(
    'Inlined functions count as the function they were inlined into, so a row and its baseline can split the same work differently; the kinds are the steadier reading. Instructions are not time (cache misses, branch mispredictions and the kernel do not show), but they are the same for the same work at any hour of this host.',
    ...result.notes.map((n) => `- ${n}`),
    '',
  )
  return lines.join('\n')
}
