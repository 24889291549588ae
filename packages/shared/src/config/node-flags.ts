// Node flags the proxy plane runs with, in one place for the supervisor (bin/postern.ts) and the bench.

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
