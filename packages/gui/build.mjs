// Builds the GUI into packages/gui/dist with Vite (called by scripts/build.mjs and by the browser test).
import { build } from 'vite'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = dirname(fileURLToPath(import.meta.url))

export async function buildGui() {
  await build({ root, base: './', logLevel: 'warn', build: { outDir: 'dist', emptyOutDir: true, target: 'es2022' } })
  return `${root}/dist`
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildGui()
