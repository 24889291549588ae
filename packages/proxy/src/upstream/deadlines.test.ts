// The deadline list behind the read timeouts: items come due in deadline order at their time (not on a
// coarse clock), removed items never do, a check can keep an item for later, and an earlier deadline
// added behind later ones moves the timer forward.
import { describe, expect, it } from 'vitest'
import { DeadlineList, UNLISTED, type Deadlined } from './deadlines.ts'

type Item = Deadlined & { name: string }
const item = (name: string): Item => ({ name, ...UNLISTED })
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

function recorder(keep: (it: Item, now: number) => number = () => -1) {
  const due: { name: string; late: number }[] = []
  const list = new DeadlineList<Item>((it, now) => {
    due.push({ name: it.name, late: now - wanted.get(it.name)! })
    return keep(it, now)
  })
  const wanted = new Map<string, number>()
  const add = (it: Item, inMs: number) => {
    const at = performance.now() + inMs
    wanted.set(it.name, at)
    list.add(it, at)
  }
  return { list, due, add, wanted }
}

describe('DeadlineList', () => {
  it('calls each item due in deadline order, within a few ms of its deadline', async () => {
    const { list, due, add } = recorder()
    add(item('a'), 40)
    add(item('b'), 80)
    add(item('c'), 120)
    expect(list.size).toBe(3)
    await sleep(200)
    expect(due.map((d) => d.name)).toEqual(['a', 'b', 'c'])
    for (const d of due) {
      expect(d.late).toBeGreaterThanOrEqual(-1) // libuv's whole-ms clock: at most 1 ms early
      expect(d.late).toBeLessThan(60)
    }
    expect(list.size).toBe(0)
  })

  it('never calls a removed item, and moving an item to another list takes it out of the first', async () => {
    const first = recorder()
    const second = recorder()
    const a = item('a')
    const b = item('b')
    first.add(a, 30)
    first.add(b, 30)
    first.list.remove(a)
    second.add(b, 60)
    expect(a.dlList).toBeNull()
    expect(a.deadline).toBe(-1)
    expect(first.list.size).toBe(0)
    await sleep(120)
    expect(first.due).toEqual([])
    expect(second.due.map((d) => d.name)).toEqual(['b'])
  })

  it('keeps an item whose check returns a later deadline, and calls it again then', async () => {
    let rounds = 0
    const { list, due, wanted } = recorder((it, now) => {
      if (++rounds > 2) return -1
      const next = now + 30
      wanted.set(it.name, next)
      return next
    })
    const a = item('a')
    wanted.set('a', performance.now() + 30)
    list.add(a, wanted.get('a')!)
    await sleep(160)
    expect(due.map((d) => d.name)).toEqual(['a', 'a', 'a'])
    for (const d of due) expect(d.late).toBeLessThan(60)
    expect(list.size).toBe(0)
  })

  it('sets the timer earlier when an earlier deadline arrives behind later ones', async () => {
    const { list, due, add } = recorder()
    const late = item('late')
    add(late, 400)
    add(item('early'), 30)
    expect(list.size).toBe(2)
    await sleep(100)
    expect(due.map((d) => d.name)).toEqual(['early'])
    expect(due[0].late).toBeLessThan(60)
    list.remove(late)
    expect(list.size).toBe(0)
  })
})
