// Radix (compressed prefix) trie of path prefixes: finds every stored prefix of a request path in O(path length).

/**
 * Prefix paths match with a plain `startsWith` (no segment boundary, spec §4.3: `/foo` matches `/foobar`),
 * so a character trie is the natural index: walking the request path visits exactly the stored keys that
 * are prefixes of it. Edges carry strings to keep ~10k routes to a few thousand nodes.
 */
export class RadixNode<T> {
  /** Edge text from the parent to this node. */
  label: string
  children: Map<number, RadixNode<T>> | null = null
  /** Values stored for the key ending exactly here, in insertion order. */
  values: T[] | null = null

  constructor(label: string) {
    this.label = label
  }

  /**
   * Store `value` under `key`. With `before`, the value goes before the first stored value it precedes
   * (binary search: the values stay sorted), else at the end.
   */
  insert(key: string, value: T, before?: (a: T, b: T) => boolean): void {
    let node: RadixNode<T> = this
    let i = 0
    for (;;) {
      if (i === key.length) {
        const values = (node.values ??= [])
        if (!before) values.push(value)
        else {
          let lo = 0
          let hi = values.length
          while (lo < hi) {
            const mid = (lo + hi) >> 1
            if (before(value, values[mid])) hi = mid
            else lo = mid + 1
          }
          values.splice(lo, 0, value)
        }
        return
      }
      const c = key.charCodeAt(i)
      node.children ??= new Map()
      const child = node.children.get(c)
      if (!child) {
        const leaf = new RadixNode<T>(key.slice(i))
        leaf.values = [value]
        node.children.set(c, leaf)
        return
      }
      const label = child.label
      let k = 1
      while (k < label.length && i + k < key.length && label.charCodeAt(k) === key.charCodeAt(i + k)) k++
      if (k < label.length) {
        // Split the edge: node -(label[0,k))-> mid -(label[k..])-> child.
        const mid = new RadixNode<T>(label.slice(0, k))
        child.label = label.slice(k)
        mid.children = new Map([[child.label.charCodeAt(0), child]])
        node.children.set(c, mid)
        node = mid
      } else {
        node = child
      }
      i += k
    }
  }

  /**
   * Call `visit(values, depth)` for every stored key that is a prefix of `path` (shortest first); `depth`
   * is the key length. Stops early when `visit` returns false.
   */
  walk(path: string, visit: (values: T[], depth: number) => boolean): void {
    let node: RadixNode<T> = this
    let i = 0
    if (node.values && !visit(node.values, 0)) return
    while (node.children) {
      const child = node.children.get(path.charCodeAt(i))
      if (!child || !path.startsWith(child.label, i)) return
      i += child.label.length
      node = child
      if (node.values && !visit(node.values, i)) return
    }
  }

  /** Remove the values stored exactly under `key` for which `drop` is true (empty nodes are left in place). */
  remove(key: string, drop: (v: T) => boolean): void {
    let node: RadixNode<T> | undefined = this
    let i = 0
    while (node && i < key.length) {
      const child: RadixNode<T> | undefined = node.children?.get(key.charCodeAt(i))
      if (!child || !key.startsWith(child.label, i)) return
      i += child.label.length
      node = child
    }
    if (node && i === key.length && node.values) {
      node.values = node.values.filter((v) => !drop(v))
      if (node.values.length === 0) node.values = null
    }
  }

  /** Node count (for tests / diagnostics). */
  count(): number {
    let n = 1
    if (this.children) for (const c of this.children.values()) n += c.count()
    return n
  }
}
