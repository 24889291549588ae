// Re-checks the targets of a finished run with the current target list (report.ts's checkTargets) and rewrites its
// results: `npx tsx bench/retarget.ts bench/results/<stamp>.json`. The measurements are the run's own; only the
// PASS/FAIL lines are derived again (when a target is added to the list after the run), and a note says so.
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { checkTargets, markdown, type RunReport } from './report.ts'
import { SCENARIOS } from './scenarios.ts'

const file = process.argv[2]
if (!file?.endsWith('.json')) {
  process.stderr.write('usage: npx tsx bench/retarget.ts bench/results/<stamp>.json\n')
  process.exit(2)
}
const r = JSON.parse(readFileSync(file, 'utf8')) as RunReport
const o = r.options as { routes: number; consumers: number }
const before = new Set(r.targets.map((t) => t.target))
r.targets = checkTargets(r.rows, r.changes, { largeRoutes: o.routes, largeConsumers: o.consumers, memory: r.memory, coldStart: r.coldStart, storeWrites: r.storeWrites }, SCENARIOS)
const added = r.targets.filter((t) => !before.has(t.target)).map((t) => t.target)
r.notes.push(`targets re-checked from this run's figures by bench/retarget.ts on ${new Date().toISOString()}${added.length ? ` (added: ${added.join('; ')})` : ''}`)
if (basename(file).replace(/\.json$/, '') !== r.startedAt.replace(/[:.]/g, '-')) throw new Error(`${file} is not named after its run (${r.startedAt})`)
const md = markdown(r)
const latest = join(dirname(file), 'latest.md')
// latest.md follows only when it shows this run
const files = [file, file.replace(/\.json$/, '.md'), ...(existsSync(latest) && readFileSync(latest, 'utf8').startsWith(`# pnpm bench — ${r.startedAt}\n`) ? [latest] : [])]
writeFileSync(files[0], JSON.stringify(r, null, 2) + '\n')
for (const f of files.slice(1)) writeFileSync(f, md)
process.stdout.write(files.map((f) => `wrote ${f}\n`).join(''))
