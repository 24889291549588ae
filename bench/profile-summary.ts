// Summarises a V8 .cpuprofile (from BENCH_CPU_PROF): top functions by self time and by inclusive time, with file:line.
import { readFileSync } from 'node:fs'
import { relative } from 'node:path'
import { pathToFileURL } from 'node:url'
import { ROOT } from './procs.ts'

interface Node {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  hitCount: number
  children?: number[]
}

export interface ProfileLine {
  fn: string
  where: string
  selfPct: number
  totalPct: number
}

const label = (n: Node) => {
  const url = n.callFrame.url.replace(/^file:\/\//, '')
  const where = url ? `${url.startsWith('/') ? relative(ROOT, url) : url}:${n.callFrame.lineNumber + 1}` : ''
  return { fn: n.callFrame.functionName || '(anonymous)', where }
}

/** Self and inclusive sample shares per function (recursion counted once per stack for inclusive). */
export function summarise(file: string, top = 25, lastSec = 0): { self: ProfileLine[]; total: ProfileLine[]; samples: number } {
  const prof = JSON.parse(readFileSync(file, 'utf8')) as { nodes: Node[]; samples?: number[]; timeDeltas?: number[] }
  // lastSec > 0: count only the samples of the profile's final seconds (e.g. the admin write → served phase).
  if (lastSec > 0 && prof.samples && prof.timeDeltas) {
    const at: number[] = []
    let t = 0
    for (const d of prof.timeDeltas) at.push((t += d))
    const from = t - lastSec * 1e6
    const hits = new Map<number, number>()
    prof.samples.forEach((id, i) => at[i] >= from && hits.set(id, (hits.get(id) ?? 0) + 1))
    for (const n of prof.nodes) n.hitCount = hits.get(n.id) ?? 0
  }
  const byId = new Map(prof.nodes.map((n) => [n.id, n]))
  const parent = new Map<number, number>()
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
  // Percentages are of busy samples: an idle proxy between rows would otherwise drown everything in (idle).
  const samples = prof.nodes.reduce((s, n) => s + (n.callFrame.functionName === '(idle)' ? 0 : n.hitCount), 0)
  const self = new Map<string, ProfileLine>()
  const total = new Map<string, ProfileLine>()
  const keyOf = (n: Node) => {
    const l = label(n)
    return { key: `${l.fn} ${l.where}`, ...l }
  }
  for (const n of prof.nodes) {
    if (!n.hitCount || n.callFrame.functionName === '(idle)') continue
    const k = keyOf(n)
    const s = self.get(k.key) ?? { fn: k.fn, where: k.where, selfPct: 0, totalPct: 0 }
    s.selfPct += n.hitCount
    self.set(k.key, s)
    const seen = new Set<string>()
    for (let id: number | undefined = n.id; id !== undefined; id = parent.get(id)) {
      const kk = keyOf(byId.get(id)!)
      if (seen.has(kk.key)) continue
      seen.add(kk.key)
      const t = total.get(kk.key) ?? { fn: kk.fn, where: kk.where, selfPct: 0, totalPct: 0 }
      t.totalPct += n.hitCount
      total.set(kk.key, t)
    }
  }
  const pct = (xs: ProfileLine[]) => xs.map((x) => ({ ...x, selfPct: (100 * x.selfPct) / samples, totalPct: (100 * x.totalPct) / samples }))
  return {
    self: pct([...self.values()].sort((a, b) => b.selfPct - a.selfPct).slice(0, top)),
    total: pct([...total.values()].sort((a, b) => b.totalPct - a.totalPct).slice(0, top)),
    samples,
  }
}

// CLI: npx tsx bench/profile-summary.ts <file.cpuprofile> [top] [last seconds]
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [file, top = '25', last = '0'] = process.argv.slice(2)
  if (!file) throw new Error('usage: tsx bench/profile-summary.ts <file.cpuprofile> [top] [last seconds]')
  const s = summarise(file, Number(top), Number(last))
  const show = (title: string, xs: ProfileLine[], k: 'selfPct' | 'totalPct') => {
    process.stdout.write(`\n${title}, % of ${s.samples} busy samples\n`)
    for (const x of xs) process.stdout.write(`${x[k].toFixed(1).padStart(6)}%  ${x.fn}  ${x.where}\n`)
  }
  show('self time', s.self, 'selfPct')
  show('inclusive time', s.total, 'totalPct')
}
