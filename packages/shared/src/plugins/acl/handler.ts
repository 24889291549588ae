// acl access phase (Kong 3.9 handler.lua, in our words): the identified consumer's groups, or the
// authenticated groups another plugin set in ctx.shared, against allow or deny. Runs after every auth plugin.
import type { Entity } from '../../entity.ts'
import type { Exit, PluginContext, PluginHandler } from '../../pdk/index.ts'
import { BLOCKED, verdict, type CompiledAcl } from './decide.ts'

const FORBIDDEN = 'You cannot consume this service'
const UNAUTHORIZED = 'Unauthorized'
const NO_ROWS: readonly Entity[] = Object.freeze([])

type Ctx = PluginContext<CompiledAcl>

/** Kong's kong.ctx.shared.authenticated_groups (set by plugins such as ldap-auth): an array of names. */
function authenticatedGroups(ctx: Ctx): string[] | null {
  const g = ctx.shared.authenticated_groups
  if (g === undefined || g === null) return null
  if (!Array.isArray(g)) {
    ctx.log.warn('invalid authenticated_groups, a table was expected')
    return null
  }
  return g.filter((x): x is string => typeof x === 'string')
}

function unidentified(ctx: Ctx): Exit {
  // a credential without a consumer is known but not allowed; nobody at all is not authenticated
  return ctx.client.getCredential() ? ctx.error(403, FORBIDDEN, undefined, 'acl.forbidden') : ctx.error(401, UNAUTHORIZED, undefined, 'acl.unidentified')
}

function pass(ctx: Ctx, result: true | string, header: string): Exit | void {
  if (result === BLOCKED) return ctx.error(403, FORBIDDEN, undefined, 'acl.forbidden')
  if (!ctx.config.hideGroupsHeader) ctx.upstream.setHeader(header, result)
}

export const handler: PluginHandler<CompiledAcl> = {
  access(ctx) {
    const conf = ctx.config
    const credential = ctx.client.getCredential()
    const consumerId = ctx.client.getConsumer()?.id ?? credential?.consumer?.id
    if (!consumerId) {
      const groups = authenticatedGroups(ctx)
      if (!groups) return unidentified(ctx)
      return pass(ctx, verdict(conf, groups), 'x-authenticated-groups')
    }
    // authenticated groups override an anonymous consumer's (or any consumer's, when configured)
    const groups = !credential || conf.alwaysUseAuthenticatedGroups ? authenticatedGroups(ctx) : null
    if (groups) return pass(ctx, verdict(conf, groups), 'x-authenticated-groups')

    let rows = ctx.entities.filter('acls', 'consumer', consumerId)
    if (rows.length === 0) {
      if (!conf.deny) return unidentified(ctx)
      rows = NO_ROWS
    }
    let result = conf.verdicts.get(rows)
    if (result === undefined) {
      result = verdict(conf, rows.map((r) => r.group))
      conf.verdicts.set(rows, result)
    }
    return pass(ctx, result, 'x-consumer-groups')
  },
}
