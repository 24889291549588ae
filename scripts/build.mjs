// Bundles the Postern command into dist/postern.mjs with esbuild: workspace code is bundled, npm
// dependencies stay external. The running gateway then pays no per-call cost of a dev-time loader, and runs
// on plain node (no tsx). Code split: each plane's dynamic import is a chunk of its own, so a proxy loads
// neither the admin nor its dependencies (hono, yaml, the admin store), nor pg unless it runs on Postgres.
// Chunks sit beside postern.mjs: code that finds files from import.meta.url (GUI, migrations) sees dist/.
import { build } from 'esbuild'
import { chmodSync, mkdirSync, readdirSync, rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')

/**
 * npm packages bundled rather than imported: zod, jose and drizzle-orm are pure ESM spread over ~270 small
 * files, and node's ESM loader resolves, reads and compiles each one at start (a third of a large proxy's
 * cold start). Bundled, esbuild keeps only what we use, in the chunks that use it. Native or worker-based
 * packages (better-sqlite3, pg, pino and its transports) and undici (CommonJS) stay external.
 */
const INLINE = /^(zod|jose|drizzle-orm)(\/|$)/

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
        b.onResolve({ filter: /^[^./]/ }, (args) => (args.path.startsWith('@postern/') || INLINE.test(args.path) ? undefined : { path: args.path, external: true }))
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
