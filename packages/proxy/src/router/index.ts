// Public entry of the proxy route matcher: buildRouter/match, priorities and upstream path rules.

export type { BuildOptions, MatchInput, Priority, RouteInput, RouteMatch, Router } from './types.ts'
export { buildRouter, patchRouter } from './router.ts'
export { comparePriority, computePriority, priorityKey, splitPathGroups } from './priority.ts'
export { strippedPrefix, upstreamPath, upstreamPathV0, upstreamPathV1 } from './upstream-path.ts'
export type { UpstreamPathOptions } from './upstream-path.ts'
