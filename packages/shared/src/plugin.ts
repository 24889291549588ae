// definePlugin: one declared object per plugin (APISIX-style), checked at load time. The admin uses
// `schema` and `daos`; the proxy calls `compile` once per instance and the handler's phases per request.
import { z } from 'zod'
import type { EntityDef } from './entity.ts'
import type { PluginHandler } from './pdk/index.ts'

/** Where a plugin instance is attached: ids, null when unscoped (a global instance has all three null). */
export interface PluginScope {
  id: string
  route: string | null
  service: string | null
  consumer: string | null
}

export interface PluginSpec<S extends z.ZodType, C> {
  /** Kong's plugin name (`key-auth`, `jwt`). */
  name: string
  /** Semver of the plugin. */
  version: string
  /** Kong's PRIORITY: higher runs first; ties run in reverse alphabetical name order. */
  priority: number
  /** zod schema of the `config` record (defaults are filled in and returned by the admin). */
  schema: S
  /** Credential entities this plugin owns (`keyauth_credentials`), served under `/consumers/{c}/...`. */
  daos?: EntityDef<any>[]
  /** `false` when the plugin cannot be scoped to a consumer (every auth plugin). */
  consumerScope?: boolean
  /** Default `protocols` of a new instance. */
  protocols?: readonly string[]
  /**
   * Turn a validated config into what the handler uses, once per instance on each runtime rebuild. `instance`
   * says where the instance is attached (Kong's `conf.route_id`, `conf.service_id`, `conf.__plugin_id`); the
   * proxy always passes it, a unit test may leave it out. Build a new object and leave `config` as it is: the
   * proxy hands the same validated config to every rebuild while the plugin's row is unchanged.
   */
  compile?: (config: z.output<S>, instance?: PluginScope) => C
  handler: PluginHandler<C>
  /**
   * Receives the plugin's cluster broadcasts (`{ type: 'broadcast', plugin: <name>, data }`), on every proxy:
   * for state a proxy keeps in memory outside the configuration (proxy-cache purges).
   */
  onBroadcast?: (data: unknown) => void
}

export interface PluginDef<S extends z.ZodType = z.ZodType, C = any> extends PluginSpec<S, C> {
  daos: EntityDef<any>[]
  consumerScope: boolean
}

export class PluginLoadError extends Error {
  readonly code = 'POSTERN_PLUGIN_INVALID'
}

/** Declare a plugin. Throws a `PluginLoadError` naming what is malformed. */
export function definePlugin<S extends z.ZodType, C = z.output<S>>(spec: PluginSpec<S, C>): PluginDef<S, C> {
  const problems: string[] = []
  if (typeof spec.name !== 'string' || !/^[a-z0-9][a-z0-9_-]*$/.test(spec.name)) problems.push('name must be a lower-case identifier')
  if (!Number.isInteger(spec.priority)) problems.push('priority must be an integer')
  if (!spec.schema || typeof (spec.schema as any).safeParse !== 'function') problems.push('schema must be a zod schema')
  const phases = ['access', 'headerFilter', 'bodyFilter', 'log'] as const
  if (!spec.handler || !phases.some((p) => typeof (spec.handler as any)[p] === 'function')) problems.push('handler must have at least one phase')
  if (problems.length) throw new PluginLoadError(`invalid plugin '${String(spec.name)}': ${problems.join('; ')}`)
  return { ...spec, daos: spec.daos ?? [], consumerScope: spec.consumerScope ?? true }
}

export function isPluginDef(x: unknown): x is PluginDef {
  return !!x && typeof x === 'object' && typeof (x as any).name === 'string' && typeof (x as any).handler === 'object' && 'priority' in (x as any)
}
