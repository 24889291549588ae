// One Prometheus exposition from every worker's: counters and histograms add up, gauges add up too (connections,
// memory), except the ones that describe the node rather than a share of it (its config version, its info,
// target health: every worker holds the node's one view of it).
const NODE_GAUGES: Record<string, 'min' | 'max'> = { postern_config_version: 'min', kong_node_info: 'max', kong_upstream_target_health: 'max' }

export function mergeExpositions(texts: string[]): string {
  const help = new Map<string, string[]>()
  const types = new Map<string, string>()
  const values = new Map<string, number>()
  const family = (series: string) => series.replace(/\{.*$/, '').replace(/_(bucket|count|sum)$/, '')
  for (const text of texts) {
    for (const line of text.split('\n')) {
      if (!line) continue
      if (line.startsWith('# ')) {
        const name = line.split(' ')[2]
        if (!help.has(name)) help.set(name, [])
        if (!help.get(name)!.some((l) => l.slice(0, 6) === line.slice(0, 6))) help.get(name)!.push(line)
        if (line.startsWith('# TYPE ')) types.set(name, line.split(' ')[3])
        continue
      }
      const cut = line.lastIndexOf(' ')
      const series = line.slice(0, cut)
      const v = Number(line.slice(cut + 1))
      const prev = values.get(series)
      const how = NODE_GAUGES[family(series)]
      values.set(series, prev === undefined ? v : how === 'min' ? Math.min(prev, v) : how === 'max' ? Math.max(prev, v) : prev + v)
    }
  }
  const out: string[] = []
  const seen = new Set<string>()
  for (const series of values.keys()) {
    const name = types.has(series.replace(/\{.*$/, '')) ? series.replace(/\{.*$/, '') : family(series)
    if (!seen.has(name)) {
      seen.add(name)
      out.push(...(help.get(name) ?? []))
    }
    out.push(`${series} ${values.get(series)}`)
  }
  return out.join('\n') + '\n'
}
