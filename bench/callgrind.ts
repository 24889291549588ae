// Instruction counts for `pnpm bench --instructions`: a process under test runs inside valgrind's callgrind with
// counting off; the bench turns it on for an exact number of requests, dumps, and reads the total and, per function,
// where the instructions went. Counts are user-space instructions of every thread of the process (JIT code, V8's
// compiler and GC threads included, the kernel's work for its syscalls not), the same for the same work whatever
// else the machine is doing: the drift-free companion of the CPU µs/request column, not a replacement for it.
import { execFileSync, spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'

/**
 * node flags for a counted process: a perf map names the JIT code in the breakdown, and without short builtin
 * calls V8 keeps calling its builtins in the node binary (where they have symbols) instead of an unnamed copy.
 */
export const COUNTED_NODE_FLAGS = ['--perf-basic-prof', '--no-short-builtin-calls', '--no-memory-reducer']

export function hasCallgrind(): boolean {
  return spawnSync('sh', ['-c', 'command -v valgrind && command -v callgrind_control && command -v callgrind_annotate'], { stdio: 'ignore' }).status === 0
}

/** The command a counted process runs inside: counting starts off, dumps go to `dir`/cg.<pid>.<n>. */
export function callgrindWrap(dir: string): string[] {
  return ['valgrind', '--tool=callgrind', '--instr-atstart=no', `--callgrind-out-file=${join(dir, 'cg.%p')}`]
}

function control(pid: number, ...args: string[]): void {
  execFileSync('callgrind_control', [...args, String(pid)], { stdio: 'ignore' })
}

/** Counts the instructions `pid` executes while `work` runs; returns them with the dump file (for `breakdown`). */
export async function countDuring(dir: string, pid: number, work: () => Promise<void>): Promise<{ instructions: number; file: string }> {
  control(pid, '-z')
  control(pid, '-i', 'on')
  try {
    await work()
  } finally {
    control(pid, '-i', 'off')
  }
  const before = new Set(dumps(dir, pid))
  control(pid, '-d')
  const file = dumps(dir, pid).find((f) => !before.has(f))
  if (file === undefined) throw new Error(`callgrind wrote no dump for pid ${pid} in ${dir}`)
  const m = readFileSync(file, 'utf8').match(/^totals:\s*(\d+)/m)
  if (!m) throw new Error(`${file}: no totals line`)
  return { instructions: Number(m[1]), file }
}

function dumps(dir: string, pid: number): string[] {
  return readdirSync(dir).filter((f) => f.startsWith(`cg.${pid}.`)).map((f) => join(dir, f))
}

/** Where a function's own instructions belong, by its name (first match wins). */
const KINDS: Array<[string, RegExp]> = [
  ['Postern (JavaScript)', /^JS:.*\/(dist|packages)\//],
  ['undici (JavaScript)', /^JS:.*\/undici\//],
  ['other JavaScript (yardstick, peers, their packages)', /^JS:.*(node_modules|\/bench\/)/],
  ["node's library (JavaScript)", /^JS:.*\bnode:/],
  ['regular expressions (JIT)', /^RegExp:/],
  ['garbage collection', /Scaveng|Heap::|MarkCompact|Marking|Sweeper|Evacuat|SlotSet|RememberedSet|MemoryChunk|MemoryAllocator|LargeObjectSpace|PagedSpace|NewSpace|::GC|GCTracer|Compactor/],
  ['V8 builtins (inline caches, strings, calls)', /^Builtins_/],
  ['V8 runtime (C++)', /v8::|Runtime_/],
  ['node and libuv (C++)', /node::|uv_|llhttp|napi/],
  ['libc (malloc, memcpy, …)', /malloc|free|mem(cpy|move|set|chr|cmp)|str\w+|__|pthread|epoll|libc/],
]
export const KIND_NAMES = [...KINDS.map(([k]) => k), 'other (unnamed code, WebAssembly)']

export interface Breakdown {
  /** Instructions per request by kind (KIND_NAMES). */
  kinds: Record<string, number>
  /** Instructions per request by function, for the functions above 0.1 % of the dump. */
  functions: Map<string, number>
}

/** A dump's self cost per function (JIT code named through the process's perf map), per request. */
export function breakdown(file: string, pid: number, requests: number): Breakdown {
  const names = perfMap(pid)
  const out = execFileSync('callgrind_annotate', ['--threshold=100', file], { encoding: 'utf8', maxBuffer: 64 << 20 })
  const kinds: Record<string, number> = Object.fromEntries(KIND_NAMES.map((k) => [k, 0]))
  const functions = new Map<string, number>()
  for (const line of out.split('\n')) {
    const m = line.match(/^\s*([\d,]+) \([^)]*\)\s+(.*)$/)
    if (!m || line.includes('PROGRAM TOTALS')) continue
    const cost = Number(m[1].replace(/,/g, '')) / requests
    const jit = m[2].match(/^\?\?\?:0x([0-9a-f]+) \[\?\?\?\]$/)
    const name = jit ? (names(parseInt(jit[1], 16)) ?? 'unnamed code') : m[2].replace(/ \[[^\]]*\]$/, '').replace(/^\?\?\?:/, '')
    const kind = KINDS.find(([, re]) => re.test(name))?.[0] ?? KIND_NAMES[KIND_NAMES.length - 1]
    kinds[kind] += cost
    if (cost >= 0.001 * requests) functions.set(name, (functions.get(name) ?? 0) + cost)
  }
  // keep only the functions above 0.1 % of the dump (--threshold=100 made callgrind_annotate list every one)
  const total = Object.values(kinds).reduce((a, b) => a + b, 0)
  for (const [k, v] of functions) if (v < total * 0.001) functions.delete(k)
  return { kinds, functions }
}

/** Address → name from /tmp/perf-<pid>.map (V8's `--perf-basic-prof`); the newest entry wins where code was reused. */
function perfMap(pid: number): (addr: number) => string | undefined {
  const path = `/tmp/perf-${pid}.map`
  if (!existsSync(path)) return () => undefined
  const rows: Array<[number, number, string]> = []
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const a = line.indexOf(' ')
    const b = line.indexOf(' ', a + 1)
    if (a < 0 || b < 0) continue
    const start = parseInt(line.slice(0, a), 16)
    rows.push([start, start + parseInt(line.slice(a + 1, b), 16), line.slice(b + 1)])
  }
  return (addr) => {
    for (let i = rows.length - 1; i >= 0; i--) if (rows[i][0] <= addr && addr < rows[i][1]) return rows[i][2]
    return undefined
  }
}

export function removePerfMaps(pids: number[]): void {
  for (const pid of pids) rmSync(`/tmp/perf-${pid}.map`, { force: true })
}

/** Copies a dump and its process's perf map (as it is now) to `dir`/<row>.callgrind and `dir`/<row>.perf-map. */
export function keepDump(dir: string, row: string, file: string, pid: number): void {
  mkdirSync(dir, { recursive: true })
  const base = join(dir, row.replace(/[^a-z0-9]+/gi, '-').toLowerCase())
  copyFileSync(file, `${base}.callgrind`)
  if (existsSync(`/tmp/perf-${pid}.map`)) copyFileSync(`/tmp/perf-${pid}.map`, `${base}.perf-map`)
}
