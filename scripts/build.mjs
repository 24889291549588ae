// Bundles the Postern command into dist/postern.mjs with esbuild: workspace code is bundled, npm
// dependencies stay external. The running gateway then pays no per-call cost of a dev-time loader, and runs
// on plain node (no tsx). Code split: each plane's dynamic import is a chunk of its own, so a proxy loads
// neither the admin nor its dependencies (hono, yaml, the admin store), nor pg unless it runs on Postgres.
// Chunks sit beside postern.mjs: code that finds files from import.meta.url (GUI, migrations) sees dist/.
import { build } from 'esbuild'
import { mkdirSync, readdirSync, rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')

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
        // bare specifiers are npm packages (external), except our own workspace packages (bundled)
        b.onResolve({ filter: /^[^./]/ }, (args) => (args.path.startsWith('@postern/') ? undefined : { path: args.path, external: true }))
      },
    },
  ],
})

// the admin GUI (packages/gui) with Vite, so `pnpm start` serves a current build
const { buildGui } = await import('../packages/gui/build.mjs')
await buildGui()
