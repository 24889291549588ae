// Node flags and environment the proxy plane runs with, in one place for the supervisor (bin/postern.ts) and
// the bench.

/**
 * The proxy's young generation is capped at 8 MB semi-spaces (V8's default lets it grow to 16 MB each, ~48 MB
 * committed under load): request garbage dies young either way, and RSS stays ~16 MB lower at the same req/s
 * (bench/README.md, "Memory"). `pnpm start:proxy` spells the same flag in package.json.
 */
export const PROXY_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=8']

/** `execArgv` plus the proxy's flags, unless the user gave a semi-space flag (in argv or NODE_OPTIONS): theirs wins. */
export function proxyNodeFlags(execArgv: readonly string[], nodeOptions = ''): string[] {
  const given = [...execArgv, nodeOptions].some((f) => f.includes('semi-space-size'))
  return given ? [...execArgv] : [...execArgv, ...PROXY_NODE_FLAGS]
}

/**
 * glibc's malloc raises its mmap threshold each time a large block is freed (up to 32 MB), after which big
 * buffers — the proxy's 10 MB config-cache rewrites, a large body — come from the heap arenas and are never
 * given back. A fixed threshold keeps them mmapped and returned on free: 36 MB less RSS on a proxy filled
 * with 10,000 routes and consumers through the admin, same heap (bench/README.md, "Memory"). Other libcs
 * ignore it. `pnpm start:proxy` spells the same setting in package.json.
 */
export const PROXY_ENV: Readonly<Record<string, string>> = { MALLOC_MMAP_THRESHOLD_: '131072' }

/** The proxy's environment: `env` plus PROXY_ENV, where the user has not set the variable. */
export function proxyEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out = { ...env }
  for (const [k, v] of Object.entries(PROXY_ENV)) if (out[k] === undefined) out[k] = v
  return out
}
