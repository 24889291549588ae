// Request timings for tracing plugins: recorded only on routes whose plugins include one (the plan says so),
// so untraced requests pay one property check per access phase.
import type { Exit, PdkTrace, PluginContext, PhaseResult } from '@postern/shared'

export const TRACING_PLUGINS = new Set(['opentelemetry'])

export class Trace implements PdkTrace {
  readonly phases: PdkTrace['phases'] = []
  upstreamStart?: number
  upstreamEnd?: number
  ids?: PdkTrace['ids']
  constructor(readonly startedAt: number, readonly start: number, readonly routed: number) {}
}

/** Run one access phase and record its span, sync or async. */
export function timedAccess(trace: Trace, name: string, access: (ctx: PluginContext) => PhaseResult, ctx: PluginContext): PhaseResult {
  const phase = { name, start: performance.now(), end: 0 }
  trace.phases.push(phase)
  const r = access(ctx)
  if (r && typeof (r as Promise<unknown>).then === 'function') {
    return (r as Promise<void | Exit>).finally(() => void (phase.end = performance.now()))
  }
  phase.end = performance.now()
  return r
}
