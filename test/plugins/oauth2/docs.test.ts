// docs/oauth2.md run as written (hosts and ports rewritten) in a scratch directory: admin commands must not
// fail, and every proxy command must print what its trailing `# comment` says.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ROOT } from '../../support/processes.ts'
import { startOAuthGateway, type OAuthGateway } from './gateway.ts'

let gw: OAuthGateway
let cwd: string

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
  const [proxy] = gw.proxies
  const rewritten = cmd
    .replaceAll('localhost:8001', `127.0.0.1:${gw.admin.port}`)
    .replaceAll('localhost:8443', `127.0.0.1:${proxy.tlsPort}`)
    .replaceAll('localhost:8000', `127.0.0.1:${proxy.port}`)
    .replaceAll('127.0.0.1:9000', `127.0.0.1:${gw.upstream.port}`)
  const { stdout } = await promisify(execFile)('bash', ['-o', 'pipefail', '-c', rewritten], { encoding: 'utf8', cwd })
  return stdout
}

beforeAll(async () => {
  gw = await startOAuthGateway()
  cwd = mkdtempSync(join(tmpdir(), 'oauth2-docs-'))
})
afterAll(async () => {
  await gw?.stop()
  if (cwd) rmSync(cwd, { recursive: true, force: true })
})

describe('docs/oauth2.md', () => {
  it('reproduces seed 001 with curl, as written', async () => {
    const all = blocks(readFileSync(join(ROOT, 'docs/oauth2.md'), 'utf8'))
    expect(all.length).toBeGreaterThanOrEqual(12)
    for (const block of all) {
      for (const cmd of block.commands) {
        if (block.kind === 'admin') {
          const out = await run(cmd.replace(/\bcurl -s /g, 'curl -sS --fail-with-body '))
          expect(out, cmd).not.toMatch(/"code":\d+,"name"|"error":/)
          const status = (await (await fetch(`${gw.admin.url}/status`)).json()) as { configuration_version: number }
          await gw.sync(status.configuration_version)
        } else {
          const expected = /\s#\s+(.+)$/.exec(cmd)![1].trim()
          expect((await run(cmd.replace(/\s#\s+.+$/, ''))).trim(), cmd).toBe(expected)
        }
      }
    }
  })
})
