// Runs the shell examples of a Markdown document as written (hosts and ports rewritten), in order:
// `<!-- readme-test:admin -->` blocks must not fail (curl --fail-with-body, no Kong or OAuth error body),
// `<!-- readme-test:proxy -->` commands must print exactly what their trailing `# comment` says.
import { expect } from 'vitest'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { waitForVersion } from './processes.ts'

export interface DocBlock {
  kind: string
  commands: string[]
}

/** Marked `sh` blocks, split into commands (`\` continuations joined, comment-only lines skipped). */
export function docBlocks(text: string): DocBlock[] {
  const out: DocBlock[] = []
  for (const m of text.matchAll(/<!-- readme-test:(\w+) -->\s*```sh\n([\s\S]*?)```/g)) {
    const commands: string[] = []
    let cur = ''
    for (const line of m[2].split('\n')) {
      if (!cur && (line.trim() === '' || line.trim().startsWith('#'))) continue
      cur += line.endsWith('\\') ? line.slice(0, -1) : line
      if (!line.endsWith('\\')) {
        commands.push(cur)
        cur = ''
      }
    }
    out.push({ kind: m[1], commands })
  }
  return out
}

export interface DocTarget {
  adminUrl: string
  /** Proxies that must have applied each admin change before the next command. */
  proxies: { statusUrl: string }[]
  /** `[from, to]` pairs applied to every command, e.g. `['localhost:8001', '127.0.0.1:41234']`. */
  replacements: [string, string][]
  cwd: string
}

async function sh(cmd: string, t: DocTarget): Promise<string> {
  let rewritten = cmd
  for (const [from, to] of t.replacements) rewritten = rewritten.replaceAll(from, to)
  // async: fixtures (upstream, IdP) live in the test process, a blocking exec would deadlock them
  const { stdout } = await promisify(execFile)('bash', ['-o', 'pipefail', '-c', rewritten], { encoding: 'utf8', cwd: t.cwd })
  return stdout
}

export async function runDoc(text: string, t: DocTarget): Promise<number> {
  let count = 0
  for (const block of docBlocks(text)) {
    for (const cmd of block.commands) {
      count++
      if (block.kind === 'admin') {
        const out = await sh(cmd.replace(/\bcurl -s /g, 'curl -sS --fail-with-body '), t)
        expect(out, cmd).not.toMatch(/"code":\d+,"name"|"error":"/)
        const status = (await (await fetch(`${t.adminUrl}/status`)).json()) as { configuration_version: number }
        for (const p of t.proxies) await waitForVersion(p, status.configuration_version)
      } else {
        const m = /\s#\s+(.+)$/.exec(cmd)
        if (!m) throw new Error(`proxy example without an expected output comment: ${cmd}`)
        expect((await sh(cmd.slice(0, m.index), t)).trim(), cmd).toBe(m[1].trim())
      }
    }
  }
  return count
}
