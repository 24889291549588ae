// The README's curl examples, run as written against real processes (only hosts and ports rewritten):
// admin examples must succeed (curl --fail-with-body), proxy examples must print the status in their comment.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT, startGateway, waitForVersion } from './support/processes.ts'
import { startEchoUpstream, type EchoUpstream } from './fixtures/echo-upstream.ts'

interface Block {
  kind: string
  commands: string[]
}

/** Blocks marked `<!-- readme-test:KIND -->`, split into commands (continuations joined, comments kept). */
function readmeBlocks(text: string): Block[] {
  const blocks: Block[] = []
  const re = /<!-- readme-test:(\w+) -->\s*```sh\n([\s\S]*?)```/g
  for (const m of text.matchAll(re)) {
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
    blocks.push({ kind: m[1], commands })
  }
  return blocks
}

let gw: Awaited<ReturnType<typeof startGateway>>
let up: EchoUpstream

beforeAll(async () => {
  up = await startEchoUpstream()
  gw = await startGateway()
})
afterAll(async () => {
  await gw?.stop()
  await up?.close()
})

// async: the echo upstream lives in this process, so a blocking exec would deadlock it
async function run(cmd: string): Promise<string> {
  const rewritten = cmd
    .replaceAll('localhost:8001', `127.0.0.1:${gw.admin.port}`)
    .replaceAll('localhost:8000', `127.0.0.1:${gw.proxy.port}`)
    .replaceAll('localhost:8100', `127.0.0.1:${gw.proxy.statusPort}`)
    .replaceAll('127.0.0.1:9000', `127.0.0.1:${up.port}`)
  const { stdout } = await promisify(execFile)('bash', ['-c', rewritten], { encoding: 'utf8', cwd: ROOT })
  return stdout
}

describe('README examples', () => {
  it('run as written, in order', async () => {
    const blocks = readmeBlocks(readFileSync(join(ROOT, 'README.md'), 'utf8'))
    expect(blocks.length).toBeGreaterThanOrEqual(4)
    for (const block of blocks) {
      for (const cmd of block.commands) {
        if (block.kind === 'admin') {
          const out = await run(cmd.replace(/\bcurl -s /g, 'curl -sS --fail-with-body '))
          // the proxy must see an admin change before the next command sends traffic
          const status = (await (await fetch(`${gw.admin.url}/status`)).json()) as any
          await waitForVersion(gw.proxy, status.configuration_version)
          expect(out, cmd).not.toMatch(/"code":\d+,"name"/)
        } else {
          const expected = cmd.match(/#\s*(\d{3})/)?.[1]
          const out = (await run(cmd.replace(/#.*$/, ''))).trim()
          expect(out, cmd).toBe(expected)
        }
      }
    }
  })
})
