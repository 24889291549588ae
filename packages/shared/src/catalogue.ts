// The plugin catalogue both planes load: `bundled` plus third-party plugins by npm name or path.
import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'
import { resolve } from 'node:path'
import { BUNDLED_PLUGINS } from './plugins/index.ts'
import { isPluginDef, PluginLoadError, type PluginDef } from './plugin.ts'
import { CORE_ENTITIES } from './entities/index.ts'
import type { EntityDef } from './entity.ts'

export interface Catalogue {
  plugins: Map<string, PluginDef>
  /** Core entities followed by the credential entities of every loaded plugin. */
  entities: EntityDef[]
  entity(name: string): EntityDef | undefined
}

/** Every entity with a table (bundled plugins' daos included), for migrations. */
export const ALL_BUNDLED_ENTITIES: EntityDef[] = [...CORE_ENTITIES, ...BUNDLED_PLUGINS.flatMap((p) => p.daos)]

export async function loadCatalogue(names: string[], cwd = process.cwd()): Promise<Catalogue> {
  const plugins = new Map<string, PluginDef>()
  for (const name of names) {
    if (name === 'bundled') {
      for (const p of BUNDLED_PLUGINS) plugins.set(p.name, p)
      continue
    }
    if (name === 'off') continue
    const bundled = BUNDLED_PLUGINS.find((p) => p.name === name)
    if (bundled) {
      plugins.set(name, bundled)
      continue
    }
    // keyed by the declared name: `KONG_PLUGINS=./my-plugin.ts` enables the plugin named inside it
    const def = await importPlugin(name, cwd)
    plugins.set(def.name, def)
  }
  const entities = [...CORE_ENTITIES]
  for (const p of plugins.values()) for (const d of p.daos) if (!entities.includes(d)) entities.push(d)
  const byName = new Map(entities.map((e) => [e.name, e]))
  return { plugins, entities, entity: (n) => byName.get(n) }
}

async function importPlugin(name: string, cwd: string): Promise<PluginDef> {
  const isPath = name.startsWith('.') || name.startsWith('/')
  let mod: any
  try {
    await loadTypeScript()
    mod = isPath ? await import(pathToFileURL(resolve(cwd, name)).href) : await import(name)
  } catch (e) {
    throw new PluginLoadError(`plugin '${name}' could not be loaded: ${(e as Error).message}`)
  }
  const def = mod?.default ?? mod?.plugin
  if (!isPluginDef(def)) throw new PluginLoadError(`plugin '${name}' does not export a definePlugin(...) object as default`)
  return def
}

/**
 * A third-party plugin may be TypeScript source. The gateway itself runs as a prebuilt bundle without a
 * loader (tsx costs ~35 MB and a few hundred ms at start), so tsx is registered only when such a plugin is
 * imported, and not again when it is already there (bin/postern.ts under tsx, or `node --import tsx`).
 */
async function loadTypeScript(): Promise<void> {
  if ('.ts' in createRequire(import.meta.url).extensions) return
  const tsx = 'tsx' // a variable: the bundle keeps it a runtime import
  await import(tsx)
}
