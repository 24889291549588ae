// Radix (compressed prefix) trie of path prefixes: finds every stored prefix of a request path in O(path length).

/**
 * Prefix paths match with a plain `startsWith` (no segment boundary, spec §4.3: `/foo` matches `/foobar`),
 * so a character trie is the natural index: walking the request path visits exactly the stored keys that
 * are prefixes of it. Edges carry strings to keep ~10k routes to a few thousand nodes.
 */
export class RadixNode<T> {
  /** Edge text from the parent to this node. */
  label: string
  /** The only child, while there is one (a Map per node costs ~250 bytes; most nodes of a host bucket have one child). */
  one: RadixNode<T> | null = null
  /** All children by the first code unit of their label, once there are two or more. */
  children: Map<number, RadixNode<T>> | null = null
  /** Values stored for the key ending exactly here, in insertion order. */
  values: T[] | null = null

  constructor(label: string) {
    this.label = label
  }

  /** The child whose label starts with code unit `c`. */
  child(c: number): RadixNode<T> | undefined {
    const one = this.one
    if (one !== null) return one.label.charCodeAt(0) === c ? one : undefined
    return this.children === null ? undefined : this.children.get(c)
  }

  private setChild(c: number, node: RadixNode<T>): void {
    const one = this.one
    if (one !== null && one.label.charCodeAt(0) !== c) {
      this.children = new Map([[one.label.charCodeAt(0), one]])
      this.one = null
    }
    if (this.children !== null) this.children.set(c, node)
    else this.one = node
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
      const child = node.child(c)
      if (!child) {
        const leaf = new RadixNode<T>(key.slice(i))
        leaf.values = [value]
        node.setChild(c, leaf)
        return
      }
      const label = child.label
      let k = 1
      while (k < label.length && i + k < key.length && label.charCodeAt(k) === key.charCodeAt(i + k)) k++
      if (k < label.length) {
        // Split the edge: node -(label[0,k))-> mid -(label[k..])-> child.
        const mid = new RadixNode<T>(label.slice(0, k))
        node.setChild(c, mid) // before relabelling `child`: setChild reads the labels of the current children
        child.label = label.slice(k)
        mid.one = child
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
    for (;;) {
      const child = node.child(path.charCodeAt(i))
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
      const child: RadixNode<T> | undefined = node.child(key.charCodeAt(i))
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
    if (this.one) n += this.one.count()
    if (this.children) for (const c of this.children.values()) n += c.count()
    return n
  }
}
