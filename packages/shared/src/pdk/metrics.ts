// A small Prometheus registry for the request path: a metric's series are found once (by label values) and
// kept by the caller as a handle, so counting costs an addition, never a label lookup or a string.
// Text exposition format 0.0.4, as Kong's prometheus plugin serves it.

type Labels = readonly string[]

/** One counter or gauge series: `inc`/`set` on a cached handle. */
export class Series {
  value = 0
  constructor(readonly labels: Labels) {}
  inc(by = 1): void {
    this.value += by
  }
  set(v: number): void {
    this.value = v
  }
}

/** One histogram series: cumulative buckets are summed at exposition time. */
export class HistogramSeries {
  readonly counts: Float64Array
  sum = 0
  count = 0
  constructor(readonly labels: Labels, private readonly bounds: readonly number[]) {
    this.counts = new Float64Array(bounds.length)
  }
  observe(v: number): void {
    this.sum += v
    this.count++
    const b = this.bounds
    for (let i = 0; i < b.length; i++) {
      if (v <= b[i]) {
        this.counts[i]++
        return
      }
    }
  }
}

abstract class Metric<S> {
  protected readonly series = new Map<string, S>()
  constructor(readonly name: string, readonly help: string, readonly labelNames: Labels, readonly type: 'counter' | 'gauge' | 'histogram') {}
  protected abstract create(labels: Labels): S
  /** The series for these label values (in `labelNames` order); keep it, it is the handle. */
  labels(...values: string[]): S {
    const key = values.join('\u0000')
    let s = this.series.get(key)
    if (!s) this.series.set(key, (s = this.create(values)))
    return s
  }
  /** Forget every series (a gauge rebuilt at each scrape). */
  reset(): void {
    this.series.clear()
  }
  abstract expose(out: string[]): void
}

export class Counter extends Metric<Series> {
  constructor(name: string, help: string, labelNames: Labels = [], type: 'counter' | 'gauge' = 'counter') {
    super(name, help, labelNames, type)
  }
  protected create(labels: Labels): Series {
    return new Series(labels)
  }
  expose(out: string[]): void {
    if (!this.series.size) return
    out.push(`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} ${this.type}`)
    for (const s of this.series.values()) out.push(`${this.name}${labelText(this.labelNames, s.labels)} ${num(s.value)}`)
  }
}

export class Gauge extends Counter {
  constructor(name: string, help: string, labelNames: Labels = []) {
    super(name, help, labelNames, 'gauge')
  }
}

export class Histogram extends Metric<HistogramSeries> {
  private readonly bucketLabels: string[]
  constructor(name: string, help: string, labelNames: Labels, readonly buckets: readonly number[]) {
    super(name, help, labelNames, 'histogram')
    // Kong pads bucket bounds to the widest one (`0001.0` … `6000.0`) so that they sort as text
    const width = String(Math.floor(Math.max(...buckets))).length + 2
    this.bucketLabels = buckets.map((b) => b.toFixed(1).padStart(width, '0'))
  }
  protected create(labels: Labels): HistogramSeries {
    return new HistogramSeries(labels, this.buckets)
  }
  expose(out: string[]): void {
    if (!this.series.size) return
    out.push(`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`)
    const names = [...this.labelNames, 'le']
    for (const s of this.series.values()) {
      let cumulative = 0
      for (let i = 0; i < this.buckets.length; i++) {
        cumulative += s.counts[i]
        out.push(`${this.name}_bucket${labelText(names, [...s.labels, this.bucketLabels[i]])} ${num(cumulative)}`)
      }
      out.push(`${this.name}_bucket${labelText(names, [...s.labels, '+Inf'])} ${num(s.count)}`)
      out.push(`${this.name}_count${labelText(this.labelNames, s.labels)} ${num(s.count)}`)
      out.push(`${this.name}_sum${labelText(this.labelNames, s.labels)} ${num(s.sum)}`)
    }
  }
}

const num = (v: number) => (Number.isInteger(v) ? String(v) : String(Math.round(v * 1e6) / 1e6))

const escape = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')

function labelText(names: Labels, values: Labels): string {
  if (!names.length) return ''
  return `{${names.map((n, i) => `${n}="${escape(values[i] ?? '')}"`).join(',')}}`
}

export class Registry {
  private readonly metrics = new Map<string, Metric<unknown>>()
  /** Callbacks run before each exposition (gauges read at scrape time: memory, connections). */
  private readonly collectors: Array<() => void> = []

  private add<M extends Metric<any>>(m: M): M {
    const existing = this.metrics.get(m.name)
    if (existing) return existing as M
    this.metrics.set(m.name, m)
    return m
  }
  counter(name: string, help: string, labelNames: Labels = []): Counter {
    return this.add(new Counter(name, help, labelNames))
  }
  gauge(name: string, help: string, labelNames: Labels = []): Gauge {
    return this.add(new Gauge(name, help, labelNames))
  }
  histogram(name: string, help: string, labelNames: Labels, buckets: readonly number[]): Histogram {
    return this.add(new Histogram(name, help, labelNames, buckets))
  }
  onCollect(fn: () => void): void {
    this.collectors.push(fn)
  }
  /** The whole registry in Prometheus text format. */
  expose(): string {
    for (const c of this.collectors) c()
    const out: string[] = []
    for (const m of this.metrics.values()) m.expose(out)
    return out.join('\n') + '\n'
  }
}

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8'
