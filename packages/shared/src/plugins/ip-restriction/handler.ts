// ip-restriction access phase: deny list first, then allow list, against the forwarded client address.
import type { PluginHandler } from '../../pdk/index.ts'
import { compileIpMatcher, parseIp, type IpMatcher } from '../../pdk/ip.ts'
import type { IpRestrictionConfig } from './schema.ts'

const NO_ADDRESS = 'Cannot identify the client IP address, unix domain sockets are not supported.'

export interface CompiledIpRestriction {
  deny: IpMatcher | null
  allow: IpMatcher | null
  status: number
  message: string | null
}

/** Lists become matchers once per plugin instance (Kong caches one resty.ipmatcher per list). */
export function compile(c: IpRestrictionConfig): CompiledIpRestriction {
  return {
    deny: c.deny?.length ? compileIpMatcher(c.deny) : null,
    allow: c.allow?.length ? compileIpMatcher(c.allow) : null,
    status: c.status ?? 403,
    message: c.message,
  }
}

export const handler: PluginHandler<CompiledIpRestriction> = {
  access(ctx) {
    const c = ctx.config
    // Kong reads $binary_remote_addr, i.e. the address after real-IP processing
    const ip = ctx.client.getForwardedIp()
    const parsed = parseIp(ip)
    if (parsed === null) return ctx.error(403, NO_ADDRESS, undefined, 'ip-restriction.no-address')
    if (c.deny !== null && c.deny.matchParsed(parsed)) return deny(ctx, c, ip)
    if (c.allow !== null && !c.allow.matchParsed(parsed)) return deny(ctx, c, ip)
  },
}

function deny(ctx: Parameters<NonNullable<PluginHandler['access']>>[0], c: CompiledIpRestriction, ip: string) {
  return ctx.error(c.status, c.message ?? `IP address not allowed: ${ip}`, undefined, 'ip-restriction.denied')
}
