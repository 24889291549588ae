import { spawnSync } from 'node:child_process'
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'
import { pinTickObjectShape } from './tick-shape.ts'

const ROOT = resolve(import.meta.dirname, '../../../..')
const SCRIPT = join(ROOT, 'test/fixtures/tick-shape-check.mjs')

/** The states of process.nextTick's computed-key literal slots after entries died across full GCs. */
function literalSlots(pin: boolean): string[] {
  const args = ['--allow-natives-syntax', '--expose-gc', ...(pin ? ['--import', 'tsx', SCRIPT, pathToFileURL(join(import.meta.dirname, 'tick-shape.ts')).href] : [SCRIPT])]
  // V8 prints to the C stdout: into a file (through a pipe from spawnSync, the end of it was lost under tsx)
  const dir = mkdtempSync(join(tmpdir(), 'postern-tick-shape-'))
  const out = openSync(join(dir, 'out.txt'), 'w')
  try {
    const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', timeout: 60_000, stdio: ['ignore', out, 'pipe'] })
    expect(r.status, r.stderr).toBe(0)
  } finally {
    closeSync(out)
  }
  const text = readFileSync(join(dir, 'out.txt'), 'utf8')
  rmSync(dir, { recursive: true, force: true })
  return [...text.matchAll(/DefineKeyedOwnPropertyInLiteral (\w+)/g)].map((m) => m[1])
}

describe('pinTickObjectShape', () => {
  it('without it, a full GC with no nextTick entry alive turns the entry literal megamorphic (the V8 behaviour it works around)', () => {
    // If this ever fails on a newer Node, V8 no longer does this and the pin can go.
    const slots = literalSlots(false)
    expect(slots).toHaveLength(4)
    expect(slots.filter((s) => s === 'MEGAMORPHIC').length).toBeGreaterThan(0)
  })

  it('with it, the literal stays monomorphic across the same GCs', () => {
    expect(literalSlots(true)).toEqual(['MONOMORPHIC', 'MONOMORPHIC', 'MONOMORPHIC', 'MONOMORPHIC'])
  })

  it('holds the two entry shapes node makes, once per process, and leaves no async hook enabled', async () => {
    const held = pinTickObjectShape()
    expect(held).toHaveLength(2)
    expect(held.map((o) => typeof (o as { callback?: unknown }).callback)).toEqual(['function', 'function'])
    expect((held[1] as { args?: unknown[] }).args).toEqual([0])
    expect(pinTickObjectShape()).toBe(held)
    // a nextTick after the pin reaches no hook: the entries held are still the two
    await new Promise<void>((r) => process.nextTick(r))
    expect(pinTickObjectShape()).toHaveLength(2)
  })
})
