// Measures how much of each pinned core went to processes that are not ours during a load run (Linux /proc; a shared machine's noise).
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'

/** Clock ticks per second of /proc times (USER_HZ, almost always 100). */
export const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100
  } catch {
    return 100
  }
})()

/** Busy and our ticks per core at one instant. */
export interface CpuSnap {
  busy: Map<string, number>
  total: Map<string, number>
  ours: Map<string, number>
}

/** Which of our processes run on which core; `self` also counts reaped children (the load generator). */
export interface CoreOwners {
  core: string
  pids: number[]
  self?: boolean
}

function coreTicks(): Map<string, { busy: number; total: number }> {
  const out = new Map<string, { busy: number; total: number }>()
  for (const line of readFileSync('/proc/stat', 'utf8').split('\n')) {
    const m = line.match(/^cpu(\d+) (.*)$/)
    if (!m) continue
    // user nice system idle iowait irq softirq steal …: steal counts as busy (a neighbour VM had it); irq and
    // softirq belong to no process and on loopback are mostly our own packets, so they count as neither.
    const [user, nice, system, idle, iowait, irq, softirq, steal = 0] = m[2].trim().split(/\s+/).map(Number)
    const busy = user + nice + system + steal
    out.set(m[1], { busy, total: busy + idle + iowait + irq + softirq })
  }
  return out
}

/** utime+stime of a pid and of its direct children (nginx's worker), plus reaped children for ourselves. */
export function pidTicks(pid: number, withReaped = false): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = f.slice(f.lastIndexOf(')') + 2).split(' ')
    // After the comm field: index 11 = utime, 12 = stime, 13 = cutime, 14 = cstime (proc(5) fields 14–17).
    let t = Number(fields[11]) + Number(fields[12])
    if (withReaped) t += Number(fields[13]) + Number(fields[14])
    let kids = ''
    try {
      kids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim()
    } catch {
      /* kernel without CONFIG_PROC_CHILDREN */
    }
    for (const k of kids ? kids.split(' ') : []) t += pidTicks(Number(k), false)
    return t
  } catch {
    return 0 // not Linux, or the process is gone
  }
}

export function snapshot(owners: CoreOwners[]): CpuSnap {
  const ticks = coreTicks()
  const s: CpuSnap = { busy: new Map(), total: new Map(), ours: new Map() }
  for (const o of owners) {
    const c = ticks.get(o.core)
    if (!c) continue
    s.busy.set(o.core, c.busy)
    s.total.set(o.core, c.total)
    const self = o.self ? pidTicks(process.pid, true) : 0
    s.ours.set(o.core, self + o.pids.reduce((n, p) => n + pidTicks(p, false), 0))
  }
  return s
}

/** Percent of each core's time between two snapshots spent on processes that are not ours (never below 0). */
export function foreignPct(a: CpuSnap, b: CpuSnap): Record<string, number> {
  const out: Record<string, number> = {}
  for (const [core, busy] of b.busy) {
    const total = b.total.get(core)! - a.total.get(core)!
    if (!(total > 0)) continue
    const foreign = busy - a.busy.get(core)! - (b.ours.get(core)! - a.ours.get(core)!)
    out[core] = Math.max(0, Math.round((1000 * foreign) / total) / 10)
  }
  return out
}

/** Other processes' share of the SUT core and of the load core over a span (absent without pinning). */
export interface ForeignShare {
  foreignSutPct?: number
  foreignLoadPct?: number
}

/**
 * Starts watching the pinned cores — `owners` is [SUT core, load core], or [] without pinning — and returns the
 * function that ends the span with other processes' share of each. `extra` adds processes that count as ours.
 */
export function watchForeign(owners: CoreOwners[], extra: { sut?: number[]; load?: number[] } = {}): () => ForeignShare {
  if (owners.length < 2) return () => ({})
  const mine: CoreOwners[] = [{ ...owners[0], pids: [...owners[0].pids, ...(extra.sut ?? [])] }, { ...owners[1], pids: [...owners[1].pids, ...(extra.load ?? [])] }]
  const before = snapshot(mine)
  return () => {
    const f = foreignPct(before, snapshot(mine))
    return { foreignSutPct: f[mine[0].core], foreignLoadPct: f[mine[1].core] }
  }
}

/** Resident set of a process from /proc/<pid>/status (VmRSS), in MB; NaN when unreadable (not Linux, or it exited). */
export function procRssMB(pid: number): number {
  try {
    const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB/m)
    return m ? Number(m[1]) / 1024 : NaN
  } catch {
    return NaN
  }
}
