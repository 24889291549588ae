import { describe, expect, it } from 'vitest'
import { RadixNode } from './trie.ts'

/** Every stored key that is a prefix of `path`, shortest first, as `key=values`. */
function prefixes(t: RadixNode<string>, path: string): string[] {
  const out: string[] = []
  t.walk(path, (values, depth) => (out.push(`${path.slice(0, depth)}=${values.join(',')}`), true))
  return out
}

describe('RadixNode', () => {
  it('a single child grows into a child map and edges split, in any insertion order', () => {
    const keys = ['/abc', '/ab', '/b', '/abd', '/a', '', '/ab']
    for (const order of [keys, [...keys].reverse()]) {
      const t = new RadixNode<string>('')
      for (const k of order) t.insert(k, `v${k}`)
      expect(prefixes(t, '/abcd')).toEqual(['=v', '/a=v/a', '/ab=v/ab,v/ab', '/abc=v/abc'])
      expect(prefixes(t, '/abd')).toEqual(['=v', '/a=v/a', '/ab=v/ab,v/ab', '/abd=v/abd'])
      expect(prefixes(t, '/bz')).toEqual(['=v', '/b=v/b'])
      expect(prefixes(t, '/c')).toEqual(['=v'])
    }
  })

  it('remove drops values under the exact key only', () => {
    const t = new RadixNode<string>('')
    for (const k of ['/x', '/xy', '/xz']) t.insert(k, k)
    t.remove('/xy', () => true)
    t.remove('/q', () => true)
    expect(prefixes(t, '/xyz')).toEqual(['/x=/x'])
    expect(prefixes(t, '/xz')).toEqual(['/x=/x', '/xz=/xz'])
  })
})
