// Bundles the Postern command into dist/postern.mjs with esbuild: workspace code is bundled, npm
// dependencies stay external. The running gateway then pays no per-call cost of a dev-time loader, and runs
// on plain node (no tsx). Code split: each plane's dynamic import is a chunk of its own, so a proxy loads
// neither the admin nor its dependencies (hono, yaml, the admin store), nor pg unless it runs on Postgres.
// Chunks sit beside postern.mjs: code that finds files from import.meta.url (GUI, migrations) sees dist/.
import { build } from 'esbuild'
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, realpathSync, rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')

/**
 * npm packages bundled rather than imported: zod, jose and drizzle-orm are pure ESM spread over ~270 small
 * files, and node's ESM loader resolves, reads and compiles each one at start (a third of a large proxy's
 * cold start). Bundled, esbuild keeps only what we use, in the chunks that use it. pino is CommonJS over
 * ~25 files in 11 packages that every plane loads (≈ 30 ms of a proxy's cold start through node's require);
 * it is bundled with everything it imports (PINO_TREE, read from the installed package.json files), as
 * Postern logs to a file descriptor and never starts pino's worker-thread transports, the one part that needs
 * pino's files on disk. Native packages (better-sqlite3, pg) and undici (CommonJS, required by file) stay
 * external.
 */
const INLINE = /^(zod|jose|drizzle-orm)(\/|$)/
const PINO_TREE = dependencyTree('pino', join(root, 'packages/shared'))
/** zod's classic API re-exports all ~50 of its message locales (370 kB of the shared chunk); Postern uses English only. */
const ZOD_LOCALES = /\/zod\/v4\/(classic|core)\/[^/]+$/

/** `name` and every package it depends on, transitively, as installed (names, e.g. `@pinojs/redact`). */
function dependencyTree(name, from) {
  const out = new Set()
  const visit = (pkg, dir) => {
    if (out.has(pkg)) return
    out.add(pkg)
    const file = packageJson(pkg, dir)
    for (const dep of Object.keys(JSON.parse(readFileSync(file, 'utf8')).dependencies ?? {})) visit(dep, dirname(file))
  }
  visit(name, from)
  return out
}

/** The real path of `pkg`'s package.json as node would find it from `dir` (node_modules upwards). */
function packageJson(pkg, dir) {
  for (let d = dir; ; d = dirname(d)) {
    const file = join(d, 'node_modules', pkg, 'package.json')
    if (existsSync(file)) return realpathSync(file)
    if (d === dirname(d)) throw new Error(`build: ${pkg} is not installed (needed from ${dir})`)
  }
}

/** The npm package a bare specifier names (`@scope/name/sub` → `@scope/name`). */
const packageOf = (spec) => spec.split('/').slice(0, spec.startsWith('@') ? 2 : 1).join('/')

const dist = join(root, 'dist')
mkdirSync(dist, { recursive: true })
// chunks of an earlier build (their names carry a content hash) would otherwise pile up
for (const f of readdirSync(dist, { withFileTypes: true }).filter((e) => e.isFile())) if (/^chunk-.*\.mjs(\.map)?$/.test(f.name)) rmSync(join(dist, f.name))

await build({
  entryPoints: { postern: join(root, 'bin/postern.ts') },
  outdir: dist,
  outExtension: { '.js': '.mjs' },
  chunkNames: 'chunk-[name]-[hash]',
  splitting: true,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  plugins: [
    {
      name: 'externalize-npm',
      setup(b) {
        // bare specifiers are npm packages (external), except our own workspace packages and the pure-ESM
        // libraries every plane loads (bundled, see INLINE)
        b.onResolve({ filter: /^[^./]/ }, (args) =>
          args.path.startsWith('@postern/') || INLINE.test(args.path) || PINO_TREE.has(packageOf(args.path)) ? undefined : { path: args.path, external: true },
        )
        // zod's `locales` namespace with English alone (what zod configures by default)
        b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) => (ZOD_LOCALES.test(args.importer) ? { path: join(args.resolveDir, '../locales/en.js'), namespace: 'zod-locales' } : undefined))
        b.onLoad({ filter: /./, namespace: 'zod-locales' }, (args) => ({ contents: `export { default as en } from ${JSON.stringify(args.path)}`, resolveDir: dirname(args.path) }))
      },
    },
  ],
})

// package.json's `bin`: the entry keeps bin/postern.ts's `#!/usr/bin/env node`, so `postern …` runs it directly
chmodSync(join(dist, 'postern.mjs'), 0o755)

// the admin GUI (packages/gui) with Vite, so `pnpm start` serves a current build (--no-gui: the server only,
// for the bundle test, which must not rebuild the GUI under the browser test running beside it)
if (!process.argv.includes('--no-gui')) {
  const { buildGui } = await import('../packages/gui/build.mjs')
  await buildGui()
}
