// Bundles the Postern command into dist/postern.mjs with esbuild: workspace code is bundled, npm
// dependencies stay external. The running gateway then pays no per-call cost of a dev-time loader.
import { build } from 'esbuild'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')

await build({
  entryPoints: [join(root, 'bin/postern.ts')],
  outfile: join(root, 'dist/postern.mjs'),
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
