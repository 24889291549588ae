// Plugin entity (Kong's plugins.lua): the wrapper fields are declared here once; `config` is checked
// against the named plugin's own zod schema, whose defaults are filled in and returned.
import { andThen, defineEntity, type MaybePromise, type ValidationContext } from '../entity.ts'
import { t } from '../typedefs.ts'
import { issuesToFields } from '../zod-kong.ts'
import { PROTOCOLS } from './services.ts'

export const DEFAULT_PLUGIN_PROTOCOLS = ['grpc', 'grpcs', 'http', 'https']

const common = (a: string[], b: string[]) => a.some((x) => b.includes(x))

/** Kong's plugins DAO: explicit protocols must overlap the route's, or those of one of the service's routes. */
function protocolsMismatch(p: Record<string, any>, ctx: ValidationContext): MaybePromise<string | null> {
  if (p.route?.id && ctx.find) {
    return andThen(ctx.find('routes', p.route.id), (route) => (route && !common(p.protocols, route.protocols) ? "must match the associated route's protocols" : null))
  } else if (p.service?.id && ctx.findAll) {
    return andThen(ctx.findAll('routes', { service: { id: p.service.id } }), (routes) =>
      routes.length && !routes.some((r) => common(p.protocols, r.protocols)) ? "must match the protocols of at least one route pointing to this Plugin's service" : null,
    )
  }
  return null
}

export const plugins = defineEntity({
  name: 'plugins',
  endpointKey: 'instance_name',
  fields: {
    id: t.uuid(),
    created_at: t.autoTimestamp(),
    updated_at: t.autoTimestamp(),
    name: t.string({ required: true }),
    instance_name: t.name(),
    route: t.foreign('routes'),
    service: t.foreign('services'),
    consumer: t.foreign('consumers'),
    config: t.record(),
    protocols: t.set(t.string({ oneOf: PROTOCOLS, required: true }), { required: false }),
    enabled: t.boolean({ default: true, required: true }),
    tags: t.tags(),
  },
  uniqueTogether: ['name', 'route', 'service', 'consumer'],
  refine(p, ctx) {
    const plugin = ctx.plugins.get(p.name)
    if (!plugin) return { name: `plugin '${p.name}' not enabled; add it to the 'plugins' configuration property` }
    if (plugin.consumerScope === false && p.consumer !== null) return { consumer: 'value must be null' }
    const config = () => {
      const r = plugin.schema.safeParse(p.config ?? {})
      if (!r.success) return issuesToFields(r.error.issues, ['config'])
      p.config = r.data
      return null
    }
    if (p.protocols === null) {
      p.protocols = [...(plugin.protocols ?? DEFAULT_PLUGIN_PROTOCOLS)]
      return config()
    }
    return andThen(protocolsMismatch(p, ctx), (mismatch) => (mismatch ? { protocols: mismatch } : config()))
  },
})
