// docs/jwt.md run as written against real processes (hosts and ports rewritten), as test/readme.test.ts
// does for the README: admin commands must not fail, proxy commands must print the status in their comment.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT, startGateway, waitForVersion } from '../../support/processes.ts'
import { startEchoUpstream, type EchoUpstream } from '../../fixtures/echo-upstream.ts'

let gw: Awaited<ReturnType<typeof startGateway>>
let up: EchoUpstream

/** `<!-- readme-test:KIND -->` sh blocks, split into commands with `\` continuations joined. */
function blocks(text: string): { kind: string; commands: string[] }[] {
  const out: { kind: string; commands: string[] }[] = []
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

async function run(cmd: string): Promise<string> {
  const rewritten = cmd
    .replaceAll('localhost:8001', `127.0.0.1:${gw.admin.port}`)
    .replaceAll('localhost:8000', `127.0.0.1:${gw.proxy.port}`)
    .replaceAll('127.0.0.1:9000', `127.0.0.1:${up.port}`)
  const { stdout } = await promisify(execFile)('bash', ['-c', rewritten], { encoding: 'utf8', cwd: ROOT })
  return stdout
}

beforeAll(async () => {
  up = await startEchoUpstream()
  gw = await startGateway()
})
afterAll(async () => {
  await gw?.stop()
  await up?.close()
})

describe('docs/jwt.md', () => {
  it('runs as written, in order', async () => {
    const all = blocks(readFileSync(join(ROOT, 'docs/jwt.md'), 'utf8'))
    expect(all.length).toBeGreaterThanOrEqual(8)
    for (const block of all) {
      for (const cmd of block.commands) {
        if (block.kind === 'admin') {
          const out = await run(cmd.replace(/\bcurl -s /g, 'curl -sS --fail-with-body '))
          const status = (await (await fetch(`${gw.admin.url}/status`)).json()) as { configuration_version: number }
          await waitForVersion(gw.proxy, status.configuration_version)
          expect(out, cmd).not.toMatch(/"code":\d+,"name"/)
        } else {
          const expected = cmd.match(/#\s*(\d{3})/)?.[1]
          expect((await run(cmd.replace(/#.*$/, ''))).trim(), cmd).toBe(expected)
        }
      }
    }
  })
})
